import type { CoreV1Api, CustomObjectsApi, Watch } from '@kubernetes/client-node';
import {
  collectionPath,
  dataVolumes,
  type KubeObject,
  type ResourceRef,
  virtualMachineInstances,
  virtualMachines,
} from '../api-resources.ts';
import { isConflict } from '../kube-clients.ts';
import { watchCollection } from '../watch-collection.ts';

// A STAND-IN for virt-controller and CDI, for tests only. Neither can run here (no nodes, no
// storage, no QEMU in a pod), so this scripted controller moves the real objects through the
// states the real controllers use, on a real API server with the real CRDs:
// - virt-controller: for each VirtualMachine, creates the DataVolumes of its dataVolumeTemplates
//   (owned by the VM), creates the VMI once they succeeded (owned by the VM), and mirrors the
//   VMI into the VM's status (printableStatus, ready);
// - CDI: moves each DataVolume Pending -> CloneScheduled -> SnapshotForSmartCloneInProgress (or
//   CloneInProgress after a host-assisted fallback, with cdi.kubevirt.io/cloneType: copy and the
//   planner's Warning event on the PVC) -> Succeeded, with Bound/Running/Ready conditions;
// - the VMI: Pending -> Scheduling -> Scheduled -> Running, Ready with an address.
// A behaviour per VM injects the failure phases the provider must recognise. The address of
// every VMI is 127.0.0.1, where the test's real sshd listens.
export type Behaviour = 'ok' | 'clone-fallback' | 'datavolume-error' | 'unschedulable' | 'image-pull';

export interface StandinOptions {
  core: CoreV1Api;
  custom: CustomObjectsApi;
  watch: Watch;
  namespace: string;
  behaviour?: (vmName: string) => Behaviour;
  stepMs?: number;
  address?: string;
}

const now = (): string => new Date().toISOString();
const cond = (type: string, status: string, reason: string, message = '') => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: now(),
  lastHeartbeatTime: now(),
});

export function startStandinController(options: StandinOptions): () => void {
  const { custom, namespace } = options;
  const stepMs = options.stepMs ?? 60;
  const started = new Set<string>();
  let stopped = false;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const get = async (ref: ResourceRef, name: string) =>
    (await custom.getNamespacedCustomObject({ ...ref, namespace, name })) as KubeObject;
  // Read-modify-write of one object's status, retried on conflicts, as controllers do.
  const setStatus = async (
    ref: ResourceRef,
    name: string,
    status: Record<string, unknown>,
    subresource: boolean,
    annotations?: Record<string, string>,
  ) => {
    for (let attempt = 0; attempt < 5 && !stopped; attempt += 1) {
      try {
        const obj = await get(ref, name);
        if (annotations) {
          obj.metadata = {
            ...obj.metadata,
            annotations: { ...(obj.metadata?.annotations ?? {}), ...annotations },
          };
          await custom.replaceNamespacedCustomObject({ ...ref, namespace, name, body: obj });
          continue;
        }
        obj.status = { ...(obj.status ?? {}), ...status };
        if (subresource)
          await custom.replaceNamespacedCustomObjectStatus({ ...ref, namespace, name, body: obj });
        else await custom.replaceNamespacedCustomObject({ ...ref, namespace, name, body: obj });
        return;
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
    }
  };
  const ownerRef = (vm: KubeObject) => ({
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    name: vm.metadata?.name ?? '',
    uid: vm.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  });

  const runDataVolume = async (
    vm: KubeObject,
    template: KubeObject,
    behaviour: Behaviour,
  ): Promise<boolean> => {
    const name = template.metadata?.name ?? '';
    const body = {
      apiVersion: 'cdi.kubevirt.io/v1beta1',
      kind: 'DataVolume',
      metadata: { name, namespace, labels: template.metadata?.labels ?? {}, ownerReferences: [ownerRef(vm)] },
      spec: template.spec,
    };
    try {
      // As virt-controller does, from the template as rendered; Strict: the API server rejects a
      // DataVolume spec field the CDI schema does not know.
      await custom.createNamespacedCustomObject({
        ...dataVolumes,
        namespace,
        body,
        fieldValidation: 'Strict',
      });
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    const pending = [
      cond('Bound', 'False', 'Pending', `PVC ${name} Pending`),
      cond('Running', 'False', ''),
      cond('Ready', 'False', ''),
    ];
    await setStatus(dataVolumes, name, { phase: 'Pending', claimName: name, conditions: pending }, true);
    await sleep(stepMs);
    const bound = cond('Bound', 'True', 'Bound', `PVC ${name} Bound`);
    await setStatus(
      dataVolumes,
      name,
      {
        phase: 'CloneScheduled',
        conditions: [bound, cond('Running', 'False', ''), cond('Ready', 'False', '')],
      },
      true,
    );
    await sleep(stepMs);
    if (behaviour === 'datavolume-error') {
      const running = cond(
        'Running',
        'False',
        'Error',
        `Unable to clone: source PVC kvmatrix-images/debian12-golden not found`,
      );
      await setStatus(
        dataVolumes,
        name,
        { phase: 'Failed', conditions: [bound, running, cond('Ready', 'False', '')] },
        true,
      );
      return false;
    }
    if (behaviour === 'clone-fallback') {
      await options.core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: `${name}.` },
          involvedObject: { kind: 'PersistentVolumeClaim', name, namespace, apiVersion: 'v1' },
          reason: 'NoVolumeSnapshotClass',
          message: 'No compatible volumesnapshotclass found',
          type: 'Warning',
          source: { component: 'clone-populator' },
          firstTimestamp: new Date(),
          lastTimestamp: new Date(),
          count: 1,
        },
      });
    }
    const strategy = behaviour === 'clone-fallback' ? 'copy' : 'snapshot';
    await setStatus(dataVolumes, name, {}, true, { 'cdi.kubevirt.io/cloneType': strategy });
    const progressPhase = strategy === 'copy' ? 'CloneInProgress' : 'SnapshotForSmartCloneInProgress';
    await setStatus(
      dataVolumes,
      name,
      {
        phase: progressPhase,
        progress: '50.0%',
        conditions: [
          bound,
          cond('Running', 'True', 'Pod is running'),
          cond('Ready', 'False', 'TransferRunning'),
        ],
      },
      true,
    );
    await sleep(stepMs);
    await setStatus(
      dataVolumes,
      name,
      {
        phase: 'Succeeded',
        progress: '100.0%',
        conditions: [bound, cond('Running', 'False', 'Completed'), cond('Ready', 'True', '')],
      },
      true,
    );
    return true;
  };

  const runVmi = async (vm: KubeObject, behaviour: Behaviour): Promise<void> => {
    const name = vm.metadata?.name ?? '';
    const template = (vm.spec?.template ?? {}) as {
      metadata?: { labels?: Record<string, string> };
      spec?: unknown;
    };
    const body = {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachineInstance',
      metadata: { name, namespace, labels: template.metadata?.labels ?? {}, ownerReferences: [ownerRef(vm)] },
      spec: template.spec,
    };
    try {
      await custom.createNamespacedCustomObject({
        ...virtualMachineInstances,
        namespace,
        body,
        fieldValidation: 'Strict',
      });
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    await setStatus(
      virtualMachines,
      name,
      { printableStatus: 'Starting', created: true, ready: false },
      true,
    );
    await setStatus(virtualMachineInstances, name, { phase: 'Pending' }, false);
    await sleep(stepMs);
    if (behaviour === 'unschedulable') {
      const message =
        '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';
      await setStatus(
        virtualMachineInstances,
        name,
        { phase: 'Scheduling', conditions: [cond('PodScheduled', 'False', 'Unschedulable', message)] },
        false,
      );
      await setStatus(virtualMachines, name, { printableStatus: 'ErrorUnschedulable' }, true);
      return;
    }
    if (behaviour === 'image-pull') {
      await setStatus(
        virtualMachineInstances,
        name,
        {
          phase: 'Scheduling',
          conditions: [
            cond(
              'Synchronized',
              'False',
              'ErrImagePull',
              'rpc error: pull access denied for registry.example/virt-launcher',
            ),
          ],
        },
        false,
      );
      return;
    }
    await setStatus(
      virtualMachineInstances,
      name,
      { phase: 'Scheduling', conditions: [cond('Ready', 'False', 'PodConditionMissing')] },
      false,
    );
    await sleep(stepMs);
    await setStatus(virtualMachineInstances, name, { phase: 'Scheduled', nodeName: 'standin-node-1' }, false);
    await sleep(stepMs);
    const address = options.address ?? '127.0.0.1';
    await setStatus(
      virtualMachineInstances,
      name,
      {
        phase: 'Running',
        interfaces: [{ name: 'default', ipAddress: address, ipAddresses: [address] }],
        conditions: [cond('Ready', 'True', '')],
      },
      false,
    );
    await setStatus(virtualMachines, name, { printableStatus: 'Running', ready: true }, true);
  };

  const onVm = (type: string, vm: KubeObject): void => {
    const name = vm.metadata?.name ?? '';
    if (type !== 'ADDED' || started.has(name)) return;
    started.add(name);
    const behaviour = options.behaviour?.(name) ?? 'ok';
    void (async () => {
      await setStatus(
        virtualMachines,
        name,
        { printableStatus: 'Provisioning', created: false, ready: false },
        true,
      );
      const templates = (vm.spec?.dataVolumeTemplates ?? []) as KubeObject[];
      const results = await Promise.all(templates.map((t) => runDataVolume(vm, t, behaviour)));
      if (results.every(Boolean)) await runVmi(vm, behaviour);
      else await setStatus(virtualMachines, name, { printableStatus: 'DataVolumeError' }, true);
    })().catch((error) => {
      // The provider may delete the namespace while a script still runs (after a failure).
      const status = (error as { code?: number })?.code;
      if (!stopped && status !== 403 && status !== 404)
        process.stderr.write(`standin-controller: ${name}: ${String(error?.message ?? error)}\n`);
    });
  };

  const stop = watchCollection(options.watch, collectionPath(virtualMachines, namespace), onVm, (error) => {
    process.stderr.write(`standin-controller: watch failed: ${String(error)}\n`);
  });
  return () => {
    stopped = true;
    stop();
  };
}
