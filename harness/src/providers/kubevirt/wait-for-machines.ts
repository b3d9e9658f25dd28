import { InfrastructureError } from '../../contracts/errors.ts';
import type { PhaseTiming } from '../../contracts/result-record.ts';
import {
  collectionPath,
  dataVolumes,
  type KubeObject,
  virtualMachineInstances,
  virtualMachines,
} from './api-resources.ts';
import type { KubeClients } from './kube-clients.ts';
import {
  annotationCloneFallbackReason,
  cloneFallbackEventReasons,
  cloneType,
  dataVolumeBound,
  dataVolumeFailure,
  type Failure,
  vmFailure,
  vmiFailure,
  vmiProgress,
} from './machine-status.ts';
import { watchCollection } from './watch-collection.ts';

export interface TrackedMachine {
  machine: string;
  vm: string;
  disk: string;
  createdAt: number;
}

export interface MachineUp {
  machine: string;
  vm: string;
  address: string;
  nodeName?: string;
  cloneType?: string;
  cloneFallback?: string;
}

export interface WaitRequest {
  clients: KubeClients;
  namespace: string;
  machines: TrackedMachine[];
  deadline: number;
  // Called once per machine when its VMI is Ready with an address: the SSH login and cloud-init.
  onVmiReady: (machine: TrackedMachine, address: string) => Promise<void>;
  phases: PhaseTiming[];
  signal?: AbortSignal;
  log: (line: string) => void;
}

// Why a machine did not come up: the first failure KubeVirt or CDI reported, named with its
// machine, object and reason. Infrastructure (exit 3), but `kind` lets callers tell the cause.
export class MachineFailedError extends InfrastructureError {
  readonly failure: Failure;
  readonly machine: string;

  constructor(machine: string, failure: Failure) {
    super(`machine ${machine}: ${failure.message}`, { hint: hintFor(failure) });
    this.failure = failure;
    this.machine = machine;
  }
}

function hintFor(failure: Failure): string {
  switch (failure.kind) {
    case 'datavolume':
      return 'kubectl describe datavolume in the job namespace; check the golden image DataSource and the storage class';
    case 'unschedulable':
      return 'no node has room: check the cluster capacity, the namespace ResourceQuota and node selectors';
    case 'image-pull':
      return 'the virt-launcher or container disk image cannot be pulled: check the registry and pull secrets';
    default:
      return 'see the VMI events and serial console in the job artifacts';
  }
}

// Waits, by watching DataVolumes, VMIs, VMs and events in the namespace (never polling), until
// every machine is Ready with an address and `onVmiReady` has finished for it. Rejects on the
// first failure with its reason, on the deadline, or on abort; stops its watches either way.
export async function waitForMachines(request: WaitRequest): Promise<MachineUp[]> {
  const { clients, namespace, machines, phases, log } = request;
  const byVm = new Map(machines.map((m) => [m.vm, m]));
  const byDisk = new Map(machines.map((m) => [m.disk, m]));
  const seen = new Map<string, Set<string>>();
  const results = new Map<string, MachineUp>();
  const sshStarted = new Set<string>();
  const stops: Array<() => void> = [];

  return await new Promise<MachineUp[]>((resolve, reject) => {
    let settled = false;
    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      for (const stop of stops) stop();
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(machines.map((m) => results.get(m.vm) as MachineUp));
    };
    const onAbort = (): void => finish(request.signal?.reason ?? new Error('aborted'));
    request.signal?.addEventListener('abort', onAbort);
    const timer = setTimeout(
      () => {
        const pending = machines
          .filter((m) => !results.has(m.vm))
          .map((m) => `${m.machine} (${lastPhase(m)})`);
        finish(
          new InfrastructureError(`machines not ready before the deadline: ${pending.join(', ')}`, {
            hint: 'see the VMI events and serial console in the job artifacts',
          }),
        );
      },
      Math.max(0, request.deadline - Date.now()),
    );

    const lastPhase = (m: TrackedMachine): string => {
      const done = [...(seen.get(m.vm) ?? [])];
      return done.length ? `last: ${done[done.length - 1]}` : 'nothing observed yet';
    };
    const mark = (m: TrackedMachine, phase: string): void => {
      const set = seen.get(m.vm) ?? new Set<string>();
      seen.set(m.vm, set);
      if (set.has(phase)) return;
      set.add(phase);
      const now = Date.now();
      phases.push({
        phase,
        machine: m.machine,
        startedAt: new Date(m.createdAt).toISOString(),
        durationMs: now - m.createdAt,
      });
      log(`${m.machine}: ${phase} after ${((now - m.createdAt) / 1000).toFixed(1)} s`);
    };
    const fail = (m: TrackedMachine, failure: Failure | undefined): boolean => {
      if (!failure) return false;
      finish(new MachineFailedError(m.machine, failure));
      return true;
    };
    const pendingInfo = new Map<string, MachineUp>();
    const entry = (m: TrackedMachine): MachineUp => {
      const up = pendingInfo.get(m.vm) ?? { machine: m.machine, vm: m.vm, address: '' };
      pendingInfo.set(m.vm, up);
      return up;
    };

    const onDataVolume = (type: string, dv: KubeObject): void => {
      const m = byDisk.get(dv.metadata?.name ?? '');
      if (!m || type === 'DELETED') return;
      if (fail(m, dataVolumeFailure(dv))) return;
      if (dataVolumeBound(dv)) mark(m, 'datavolume-bound');
      const strategy = cloneType(dv);
      if (strategy && entry(m).cloneType !== strategy) {
        entry(m).cloneType = strategy;
        if (strategy === 'copy')
          log(`${m.machine}: CDI fell back to a host-assisted copy of the golden image (slow)`);
      }
      const reason = dv.metadata?.annotations?.[annotationCloneFallbackReason];
      if (reason) entry(m).cloneFallback = reason;
      if (dv.status?.phase === 'Succeeded') mark(m, 'datavolume-ready');
    };
    const onVmi = (type: string, vmi: KubeObject): void => {
      const m = byVm.get(vmi.metadata?.name ?? '');
      if (!m || type === 'DELETED') return;
      if (fail(m, vmiFailure(vmi))) return;
      const progress = vmiProgress(vmi);
      if (progress.scheduled) mark(m, 'vm-scheduled');
      if (progress.running) mark(m, 'vmi-running');
      if (progress.ready && progress.address && !sshStarted.has(m.vm)) {
        sshStarted.add(m.vm);
        mark(m, 'vmi-ready');
        const up = entry(m);
        up.address = progress.address;
        if (progress.nodeName) up.nodeName = progress.nodeName;
        request.onVmiReady(m, progress.address).then(
          () => {
            results.set(m.vm, up);
            if (results.size === machines.length) finish();
          },
          (error) => finish(error),
        );
      }
    };
    const onVm = (type: string, vm: KubeObject): void => {
      const m = byVm.get(vm.metadata?.name ?? '');
      if (!m || type === 'DELETED') return;
      fail(m, vmFailure(vm));
    };
    const onEvent = (type: string, event: KubeObject): void => {
      if (type === 'DELETED') return;
      const e = event as KubeObject & {
        reason?: string;
        message?: string;
        involvedObject?: { kind?: string; name?: string };
      };
      if (
        e.involvedObject?.kind !== 'PersistentVolumeClaim' ||
        !cloneFallbackEventReasons.has(e.reason ?? '')
      )
        return;
      const m = byDisk.get(e.involvedObject.name ?? '');
      if (m && !entry(m).cloneFallback) {
        entry(m).cloneFallback = `${e.reason}: ${e.message ?? ''}`.trim();
        log(`${m.machine}: smart clone not possible, CDI copies instead (${entry(m).cloneFallback})`);
      }
    };

    const watchFailed = (what: string) => (error: unknown) =>
      finish(
        new InfrastructureError(
          `cannot watch ${what} in ${namespace}: ${String((error as Error)?.message ?? error)}`,
        ),
      );
    stops.push(
      watchCollection(
        clients.watch,
        collectionPath(dataVolumes, namespace),
        onDataVolume,
        watchFailed('DataVolumes'),
      ),
      watchCollection(
        clients.watch,
        collectionPath(virtualMachineInstances, namespace),
        onVmi,
        watchFailed('VMIs'),
      ),
      watchCollection(clients.watch, collectionPath(virtualMachines, namespace), onVm, watchFailed('VMs')),
      watchCollection(
        clients.watch,
        `/api/v1/namespaces/${namespace}/events`,
        onEvent,
        watchFailed('events'),
      ),
    );
  });
}
