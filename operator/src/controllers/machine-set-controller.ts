import type { ClaimRef, Machine } from '../api/v1alpha1/machine.ts';
import type { MachineSet } from '../api/v1alpha1/machine-set.ts';
import { ClusterLabel, MachineSetFinalizer, MachineSetLabel } from '../api/v1alpha1/meta.ts';
import { computeMachineSetStatus, planMachineSet } from '../decisions/machine-set.ts';
import { isConflict, isNotFound } from '../runtime/api-error.ts';
import type { ReconcileResult } from '../runtime/controller.ts';
import { ByClaimingSet, IdleInNamespace, type OperatorContext, sameJson, splitKey } from './context.ts';
import { machineSetsType, machinesType } from './resource-types.ts';

// MachineSet -> claims Idle Machines that match its selector and releases surplus ones. A claim is
// a merge patch carrying the resourceVersion the cache saw: if anyone (another set, another
// operator) changed the Machine since, the API server answers 409 and the set moves on to the
// next candidate. Two sets can therefore never both believe they hold one machine.
export async function reconcileMachineSet(
  ctx: OperatorContext,
  key: string,
): Promise<ReconcileResult | undefined> {
  const { namespace, name } = splitKey(key);
  let set = ctx.informers.machineSets.get(namespace, name);
  if (!set) return undefined;

  if (!set.metadata.deletionTimestamp && !set.metadata.finalizers?.includes(MachineSetFinalizer)) {
    set = await ctx.client.patch<MachineSet>(machineSetsType, namespace, name, {
      metadata: {
        resourceVersion: set.metadata.resourceVersion,
        finalizers: [...(set.metadata.finalizers ?? []), MachineSetFinalizer],
      },
    });
    ctx.informers.machineSets.mutate(set);
  }

  const claimedBy = () =>
    ctx.informers.machines
      .byIndex(ByClaimingSet, key)
      .filter((m) => m.spec.claimRef?.machineSetUid === set?.metadata.uid);
  const claimed = claimedBy();
  const idle = ctx.informers.machines.byIndex(IdleInNamespace, namespace);
  const plan = planMachineSet(set, claimed, idle);

  // Claims go out in waves of as many as are still missing, in parallel; a lost claim (409) is
  // replaced by the next candidate in the following wave. Never more than claimCount can be won.
  let won = 0;
  let next = 0;
  while (won < plan.claimCount && next < plan.candidates.length) {
    const wave = plan.candidates.slice(next, next + (plan.claimCount - won));
    next += wave.length;
    const results = await Promise.all(
      wave.map((candidate) => claimMachine(ctx, set as MachineSet, candidate)),
    );
    won += results.filter(Boolean).length;
  }
  for (const machine of plan.requestRelease) await writeClaim(ctx, namespace, machine, 'request-release');
  for (const machine of plan.release) await writeClaim(ctx, namespace, machine, 'release');

  if (plan.removeFinalizer) {
    try {
      await ctx.client.patch(machineSetsType, namespace, name, {
        metadata: {
          resourceVersion: set.metadata.resourceVersion,
          finalizers: (set.metadata.finalizers ?? []).filter((f) => f !== MachineSetFinalizer),
        },
      });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return undefined;
  }

  const status = computeMachineSetStatus(set, claimedBy(), ctx.now());
  if (!sameJson(status, set.status)) {
    ctx.informers.machineSets.mutate(
      await ctx.client.patchStatus<MachineSet>(machineSetsType, namespace, name, { status }),
    );
  }
  // Short of machines: Idle-machine events wake the set up; the periodic resync is the safety net.
  if (won < plan.claimCount) return { requeueAfterMs: 30_000 };
  if (plan.requestRelease.length > 0 || (set.metadata.deletionTimestamp && !plan.removeFinalizer))
    return { requeueAfterMs: 10_000 };
  return undefined;
}

// Tries to claim one machine; false when it was taken (409) or vanished (404) meanwhile.
async function claimMachine(ctx: OperatorContext, set: MachineSet, machineName: string): Promise<boolean> {
  const namespace = set.metadata.namespace as string;
  const machine = ctx.informers.machines.get(namespace, machineName);
  if (!machine || machine.spec.claimRef) return false;
  const claimRef: ClaimRef = {
    clusterName: set.spec.clusterName,
    machineSet: set.metadata.name,
    machineSetUid: set.metadata.uid as string,
    role: set.spec.role,
  };
  try {
    const updated = await ctx.client.patch<Machine>(machinesType, namespace, machineName, {
      metadata: {
        resourceVersion: machine.metadata.resourceVersion,
        labels: { [ClusterLabel]: set.spec.clusterName, [MachineSetLabel]: set.metadata.name },
      },
      spec: { claimRef },
    });
    ctx.informers.machines.mutate(updated);
    return true;
  } catch (error) {
    if (isConflict(error) || isNotFound(error)) return false;
    throw error;
  }
}

async function writeClaim(
  ctx: OperatorContext,
  namespace: string,
  machineName: string,
  what: 'release' | 'request-release',
): Promise<void> {
  const machine = ctx.informers.machines.get(namespace, machineName);
  if (!machine) return;
  const patch =
    what === 'release'
      ? {
          metadata: {
            resourceVersion: machine.metadata.resourceVersion,
            labels: { [ClusterLabel]: null, [MachineSetLabel]: null },
          },
          spec: { claimRef: null },
        }
      : {
          metadata: { resourceVersion: machine.metadata.resourceVersion },
          spec: { claimRef: { releaseRequested: true } },
        };
  try {
    ctx.informers.machines.mutate(
      await ctx.client.patch<Machine>(machinesType, namespace, machineName, patch),
    );
  } catch (error) {
    if (isNotFound(error)) return;
    throw error; // 409: the cache was stale; the key is retried with backoff
  }
}
