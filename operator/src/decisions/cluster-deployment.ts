import {
  type Cluster,
  ClusterOperationInProgressCondition,
  ClusterProvisionedCondition,
  type ClusterSpec,
} from '../api/v1alpha1/cluster.ts';
import {
  AddonsAppliedReason,
  AddonsFailedReason,
  AddonsPendingReason,
  AllMachinesBoundReason,
  type ClusterDeployment,
  ClusterDeploymentAddonsAppliedCondition,
  ClusterDeploymentMachinesBoundCondition,
  type ClusterDeploymentPhase,
  ClusterDeploymentProvisionedCondition,
  ClusterDeploymentReadyCondition,
  type ClusterDeploymentStatus,
  ClusterReadyReason,
  DeletingReason,
  NoAddonsReason,
  NodesNotReadyReason,
  PlaybookFailedReason,
  PlaybookRunningReason,
  PlaybookSucceededReason,
  WaitingForMachinesReason,
} from '../api/v1alpha1/cluster-deployment.ts';
import { type ConditionInput, findCondition, setConditions } from '../api/v1alpha1/condition.ts';
import { type MachineSet, MachineSetMachinesBoundCondition } from '../api/v1alpha1/machine-set.ts';
import {
  API_VERSION,
  ClusterLabel,
  ManagedByLabel,
  ManagedByValue,
  RetryAnnotation,
} from '../api/v1alpha1/meta.ts';
import { canonicalJson } from './canonical-json.ts';

function ownerRef(cd: ClusterDeployment) {
  return [
    {
      apiVersion: API_VERSION,
      kind: 'ClusterDeployment',
      name: cd.metadata.name,
      uid: cd.metadata.uid as string,
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
}

export function machineSetName(cd: ClusterDeployment, setName: string): string {
  return `${cd.metadata.name}-${setName}`;
}

// The MachineSets a ClusterDeployment owns (one per spec.machineSets entry). Pure.
export function desiredMachineSets(cd: ClusterDeployment): MachineSet[] {
  return cd.spec.machineSets.map((t) => ({
    apiVersion: API_VERSION,
    kind: 'MachineSet',
    metadata: {
      name: machineSetName(cd, t.name),
      namespace: cd.metadata.namespace,
      labels: { [ClusterLabel]: cd.metadata.name, [ManagedByLabel]: ManagedByValue },
      ownerReferences: ownerRef(cd),
    },
    spec: { clusterName: cd.metadata.name, role: t.role, replicas: t.replicas, selector: t.selector },
  }));
}

// The Cluster a ClusterDeployment owns: same name, the spec without machine sets. Pure.
export function desiredCluster(cd: ClusterDeployment): Cluster {
  const { machineSets: _sets, ...rest } = cd.spec;
  const spec: ClusterSpec = { ...rest, clusterDeployment: cd.metadata.name };
  const retry = cd.metadata.annotations?.[RetryAnnotation];
  return {
    apiVersion: API_VERSION,
    kind: 'Cluster',
    metadata: {
      name: cd.metadata.name,
      namespace: cd.metadata.namespace,
      labels: { [ClusterLabel]: cd.metadata.name, [ManagedByLabel]: ManagedByValue },
      ...(retry ? { annotations: { [RetryAnnotation]: retry } } : {}),
      ownerReferences: ownerRef(cd),
    },
    spec,
  };
}

// True when an existing child differs from what is desired in what the operator owns.
export function childNeedsUpdate(
  existing: { spec: unknown; metadata: { annotations?: Record<string, string> } },
  desired: { spec: unknown; metadata: { annotations?: Record<string, string> } },
): boolean {
  const retryOf = (o: { metadata: { annotations?: Record<string, string> } }) =>
    o.metadata.annotations?.[RetryAnnotation];
  return (
    canonicalJson(existing.spec) !== canonicalJson(desired.spec) ||
    (retryOf(desired) !== undefined && retryOf(existing) !== retryOf(desired))
  );
}

// The ClusterDeployment's status, from its MachineSets and its Cluster, computed in one place.
export function computeClusterDeploymentStatus(
  cd: ClusterDeployment,
  sets: MachineSet[],
  cluster: Cluster | undefined,
  now: string,
): ClusterDeploymentStatus {
  const generation = cd.metadata.generation;
  const summary = cd.spec.machineSets.map((t) => {
    const set = sets.find((s) => s.metadata.name === machineSetName(cd, t.name));
    return {
      name: t.name,
      role: t.role,
      replicas: t.replicas,
      boundReplicas: set?.status?.replicas ?? 0,
      readyReplicas: set?.status?.readyReplicas ?? 0,
    };
  });
  const setsCurrent = cd.spec.machineSets.every((t) => {
    const set = sets.find((s) => s.metadata.name === machineSetName(cd, t.name));
    return set && set.status?.observedGeneration === set.metadata.generation;
  });
  const allBound =
    setsCurrent &&
    summary.every((s) => s.boundReplicas === s.replicas) &&
    sets.every(
      (s) => findCondition(s.status?.conditions, MachineSetMachinesBoundCondition)?.status === 'True',
    );
  const bound: ConditionInput = allBound
    ? {
        type: ClusterDeploymentMachinesBoundCondition,
        status: 'True',
        reason: AllMachinesBoundReason,
        message: `${summary.reduce((n, s) => n + s.replicas, 0)} machines bound`,
      }
    : {
        type: ClusterDeploymentMachinesBoundCondition,
        status: 'False',
        reason: WaitingForMachinesReason,
        message: summary.map((s) => `${s.name}: ${s.boundReplicas}/${s.replicas}`).join(', '),
      };

  const clusterProvisioned = findCondition(cluster?.status?.conditions, ClusterProvisionedCondition);
  const inProgress = findCondition(cluster?.status?.conditions, ClusterOperationInProgressCondition);
  const lastRun = cluster?.status?.runs?.at(-1);
  const clusterCurrent = cluster && cluster.status?.observedGeneration === cluster.metadata.generation;
  let provisioned: ConditionInput;
  if (clusterCurrent && clusterProvisioned?.status === 'True') {
    provisioned = {
      type: ClusterDeploymentProvisionedCondition,
      status: 'True',
      reason: PlaybookSucceededReason,
      message: clusterProvisioned.message,
    };
  } else if (clusterProvisioned?.reason === 'OperationFailed') {
    const tail = lastRun?.logTail ? `\n${lastRun.logTail.split('\n').slice(-5).join('\n')}` : '';
    provisioned = {
      type: ClusterDeploymentProvisionedCondition,
      status: 'False',
      reason: PlaybookFailedReason,
      message: `${clusterProvisioned.message}${tail}`,
    };
  } else if (inProgress?.status === 'True') {
    provisioned = {
      type: ClusterDeploymentProvisionedCondition,
      status: 'False',
      reason: PlaybookRunningReason,
      message: inProgress.message,
    };
  } else {
    provisioned = {
      type: ClusterDeploymentProvisionedCondition,
      status: 'False',
      reason: WaitingForMachinesReason,
      message: clusterProvisioned?.message ?? 'cluster not provisioned yet',
    };
  }

  const wantedAddons = cd.spec.addons ?? [];
  const appliedAddons = cluster?.status?.addons ?? [];
  const failedAddon = appliedAddons.find(
    (a) => a.result === 'Failed' && wantedAddons.some((w) => w.name === a.name && w.version === a.version),
  );
  const pendingAddons = wantedAddons.filter(
    (w) => !appliedAddons.some((a) => a.name === w.name && a.version === w.version && a.result === 'Applied'),
  );
  const addons: ConditionInput =
    wantedAddons.length === 0
      ? {
          type: ClusterDeploymentAddonsAppliedCondition,
          status: 'True',
          reason: NoAddonsReason,
          message: 'no addons requested',
        }
      : failedAddon
        ? {
            type: ClusterDeploymentAddonsAppliedCondition,
            status: 'False',
            reason: AddonsFailedReason,
            message: `${failedAddon.name}: ${failedAddon.message ?? 'failed'}`,
          }
        : pendingAddons.length > 0
          ? {
              type: ClusterDeploymentAddonsAppliedCondition,
              status: 'False',
              reason: AddonsPendingReason,
              message: `pending: ${pendingAddons.map((a) => `${a.name}@${a.version}`).join(', ')}`,
            }
          : {
              type: ClusterDeploymentAddonsAppliedCondition,
              status: 'True',
              reason: AddonsAppliedReason,
              message: `${wantedAddons.length} addons applied`,
            };

  const nodesReady = summary.every((s) => s.readyReplicas === s.replicas);
  const deleting = Boolean(cd.metadata.deletionTimestamp);
  let ready: ConditionInput;
  if (deleting)
    ready = {
      type: ClusterDeploymentReadyCondition,
      status: 'False',
      reason: DeletingReason,
      message: 'being deleted',
    };
  else if (provisioned.status !== 'True')
    ready = {
      type: ClusterDeploymentReadyCondition,
      status: 'False',
      reason: provisioned.reason,
      message: provisioned.message,
    };
  else if (!nodesReady)
    ready = {
      type: ClusterDeploymentReadyCondition,
      status: 'False',
      reason: NodesNotReadyReason,
      message: summary.map((s) => `${s.name}: ${s.readyReplicas}/${s.replicas} Ready`).join(', '),
    };
  else if (addons.status !== 'True')
    ready = {
      type: ClusterDeploymentReadyCondition,
      status: 'False',
      reason: addons.reason,
      message: addons.message,
    };
  else
    ready = {
      type: ClusterDeploymentReadyCondition,
      status: 'True',
      reason: ClusterReadyReason,
      message: `Kubernetes ${cluster?.status?.kubernetesVersion ?? ''} ready`,
    };

  let phase: ClusterDeploymentPhase;
  if (deleting) phase = 'Deleting';
  else if (ready.status === 'True') phase = 'Ready';
  else if (provisioned.reason === PlaybookFailedReason) phase = 'Failed';
  else if (!allBound && (cluster?.status?.nodes ?? []).length === 0)
    phase = sets.length === 0 ? 'Pending' : 'Binding';
  else phase = 'Provisioning';

  return {
    phase,
    observedGeneration: generation,
    ...(cluster?.status?.kubernetesVersion ? { kubernetesVersion: cluster.status.kubernetesVersion } : {}),
    machineSets: summary,
    conditions: setConditions(
      cd.status?.conditions,
      [bound, provisioned, addons, ready].map((c) => ({ ...c, observedGeneration: generation })),
      now,
    ),
  };
}
