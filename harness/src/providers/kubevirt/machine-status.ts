import { type Condition, findCondition, type KubeObject } from './api-resources.ts';

// Reading KubeVirt and CDI status the way their own controllers do. Each rule cites the upstream
// code it mirrors (kubevirt.io/kubevirt v1.8.1, kubevirt.io/containerized-data-importer v1.64.0).

// A reason to stop waiting: the machine will not come up without someone changing something.
export interface Failure {
  kind: 'datavolume' | 'unschedulable' | 'image-pull' | 'vmi-failed' | 'vm-error';
  reason: string;
  message: string;
}

// KubeVirt's pkg/storage/types HasDataVolumeErrors + HasDataVolumeExceededQuotaError: phase
// Failed; Running=False with reason Error or ImagePullFailed; Bound not True with ErrExceededQuota.
export function dataVolumeFailure(dv: KubeObject): Failure | undefined {
  const name = dv.metadata?.name ?? '?';
  const phase = dv.status?.phase;
  const running = findCondition(dv, 'Running');
  const bound = findCondition(dv, 'Bound');
  if (phase === 'Failed') {
    const detail = pickMessage(running, bound);
    return { kind: 'datavolume', reason: 'Failed', message: `DataVolume ${name} failed${detail}` };
  }
  if (running?.status === 'False' && (running.reason === 'Error' || running.reason === 'ImagePullFailed')) {
    return {
      kind: 'datavolume',
      reason: running.reason,
      message: `DataVolume ${name} stopped running: ${running.message ?? running.reason}`,
    };
  }
  if (bound && bound.status !== 'True' && bound.reason === 'ErrExceededQuota') {
    return {
      kind: 'datavolume',
      reason: 'ErrExceededQuota',
      message: `DataVolume ${name} exceeds the namespace's quota: ${bound.message ?? ''}`.trim(),
    };
  }
  return undefined;
}

function pickMessage(...conditions: Array<Condition | undefined>): string {
  const withMessage = conditions.find((c) => c?.message);
  return withMessage ? `: ${withMessage.reason ? `${withMessage.reason}: ` : ''}${withMessage.message}` : '';
}

export function dataVolumeBound(dv: KubeObject): boolean {
  return findCondition(dv, 'Bound')?.status === 'True';
}

// CDI copies the clone strategy it chose onto the DataVolume as cdi.kubevirt.io/cloneType:
// "snapshot" or "csi-clone" for smart clones, "copy" for a host-assisted copy (pkg/controller/
// datavolume/pvc-clone-controller.go). Why it fell back is on the target PVC's
// cdi.kubevirt.io/cloneFallbackReason annotation and a Warning event (pkg/controller/clone/planner.go).
export const annotationCloneType = 'cdi.kubevirt.io/cloneType';
export const annotationCloneFallbackReason = 'cdi.kubevirt.io/cloneFallbackReason';
export const cloneFallbackEventReasons = new Set([
  'NoVolumeSnapshotClass',
  'IncompatibleVolumeModes',
  'NoVolumeExpansion',
  'NoProvisionerMatch',
  'IncompatibleProvisioners',
]);

export function cloneType(dv: KubeObject): string | undefined {
  return dv.metadata?.annotations?.[annotationCloneType];
}

// virt-controller copies the launcher pod's PodScheduled=False condition onto the VMI
// (pkg/virt-controller/watch/vmi/lifecycle.go); image pull trouble shows as Synchronized=False
// with reason ErrImagePull or ImagePullBackOff (pkg/virt-controller/watch/vm/vm.go).
export function vmiFailure(vmi: KubeObject): Failure | undefined {
  const name = vmi.metadata?.name ?? '?';
  const scheduled = findCondition(vmi, 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    return {
      kind: 'unschedulable',
      reason: 'Unschedulable',
      message: `VMI ${name} cannot be scheduled: ${scheduled.message ?? 'no node fits'}`,
    };
  }
  const synced = findCondition(vmi, 'Synchronized');
  if (
    synced?.status === 'False' &&
    (synced.reason === 'ErrImagePull' || synced.reason === 'ImagePullBackOff')
  ) {
    return {
      kind: 'image-pull',
      reason: synced.reason,
      message: `VMI ${name} cannot pull an image: ${synced.message ?? synced.reason}`,
    };
  }
  if (vmi.status?.phase === 'Failed') {
    const ready = findCondition(vmi, 'Ready');
    return {
      kind: 'vmi-failed',
      reason: ready?.reason ?? 'Failed',
      message: `VMI ${name} failed${ready?.message ? `: ${ready.message}` : ''}`,
    };
  }
  return undefined;
}

// The VM's printableStatus values that mean "stuck" (kubevirt.io/api core/v1 types.go).
const stuckStatuses = new Set([
  'ErrorUnschedulable',
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrorPvcNotFound',
  'DataVolumeError',
  'CrashLoopBackOff',
]);

// A Failure=True condition is virt-controller's sync error (for example a DataVolume it may not
// create because the clone source is forbidden: FailedCreate).
export function vmFailure(vm: KubeObject): Failure | undefined {
  const status = vm.status?.printableStatus;
  const failure = findCondition(vm, 'Failure');
  if (failure?.status === 'True') {
    return {
      kind: 'vm-error',
      reason: failure.reason ?? 'Failure',
      message: `VirtualMachine ${vm.metadata?.name ?? '?'}: ${failure.message ?? failure.reason ?? 'sync failure'}`,
    };
  }
  if (typeof status !== 'string' || !stuckStatuses.has(status)) return undefined;
  return {
    kind: 'vm-error',
    reason: status,
    message: `VirtualMachine ${vm.metadata?.name ?? '?'} is ${status}${failure?.message ? `: ${failure.message}` : ''}`,
  };
}

export interface VmiProgress {
  scheduled: boolean;
  running: boolean;
  ready: boolean;
  address?: string;
  nodeName?: string;
}

export function vmiProgress(vmi: KubeObject): VmiProgress {
  const phase = vmi.status?.phase;
  const nodeName = typeof vmi.status?.nodeName === 'string' ? vmi.status.nodeName : undefined;
  const interfaces = vmi.status?.interfaces as Array<{ ipAddress?: string }> | undefined;
  const address = interfaces?.find((i) => i.ipAddress)?.ipAddress;
  const progress: VmiProgress = {
    scheduled: phase === 'Scheduled' || phase === 'Running' || Boolean(nodeName),
    running: phase === 'Running',
    ready: findCondition(vmi, 'Ready')?.status === 'True',
  };
  if (address) progress.address = address;
  if (nodeName) progress.nodeName = nodeName;
  return progress;
}
