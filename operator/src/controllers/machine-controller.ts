import type { Machine } from '../api/v1alpha1/machine.ts';
import { computeMachineStatus } from '../decisions/machine.ts';
import { isNotFound } from '../runtime/api-error.ts';
import type { ReconcileResult } from '../runtime/controller.ts';
import { type OperatorContext, sameJson, splitKey } from './context.ts';
import { machinesType } from './resource-types.ts';

// Machine -> status.phase and conditions, computed from the claim, the deployment record and the
// Node facts other controllers wrote. No finalizer: a Machine owns nothing outside itself.
export async function reconcileMachine(
  ctx: OperatorContext,
  key: string,
): Promise<ReconcileResult | undefined> {
  const { namespace, name } = splitKey(key);
  const machine = ctx.informers.machines.get(namespace, name);
  if (!machine) return undefined;
  const computed = computeMachineStatus(machine, ctx.now());
  if (
    sameJson(computed.phase, machine.status?.phase) &&
    sameJson(computed.conditions, machine.status?.conditions)
  ) {
    return undefined;
  }
  try {
    const updated = await ctx.client.patchStatus<Machine>(machinesType, namespace, name, {
      status: { phase: computed.phase, conditions: computed.conditions },
    });
    ctx.informers.machines.mutate(updated);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  return undefined;
}
