import {
  type Cluster,
  ClusterOperationInProgressCondition,
  ClusterProvisionedCondition,
  type ClusterStatus,
  IdleReason,
  MaxRecordedRuns,
  NeverProvisionedReason,
  OperationFailedReason,
  OperationRunningReason,
  OperationSucceededReason,
  type PlaybookRun,
  WaitingForMachinesClusterReason,
} from '../api/v1alpha1/cluster.ts';
import { type ConditionInput, setConditions } from '../api/v1alpha1/condition.ts';
import type { ObservedJob } from './observed-job.ts';
import type { InstallAction } from './operation.ts';

export function runFromJob(job: ObservedJob, logTail?: string): PlaybookRun {
  return {
    operation: job.operation,
    attempt: job.attempt,
    job: job.name,
    target: job.target,
    nodes: job.nodes,
    startTime: job.startTime,
    ...(job.completionTime ? { completionTime: job.completionTime } : {}),
    result: job.state,
    ...(job.message ? { message: job.message } : {}),
    ...(logTail ? { logTail } : {}),
  };
}

// Inserts or replaces a run (by Job name), keeping the newest MaxRecordedRuns. Pure.
export function upsertRun(runs: PlaybookRun[] | undefined, run: PlaybookRun): PlaybookRun[] {
  const rest = (runs ?? []).filter((r) => r.job !== run.job);
  return [...rest, run].sort((a, b) => a.startTime.localeCompare(b.startTime)).slice(-MaxRecordedRuns);
}

// What a finished run leaves deployed: the node list and the version after it.
export function deployedAfter(
  status: ClusterStatus | undefined,
  job: ObservedJob,
): Pick<ClusterStatus, 'nodes' | 'kubernetesVersion'> {
  const nodes = status?.nodes ?? [];
  const version = status?.kubernetesVersion;
  if (job.state !== 'Succeeded') return { nodes, ...(version ? { kubernetesVersion: version } : {}) };
  switch (job.operation) {
    case 'install':
      return { nodes: [...job.nodes].sort(), kubernetesVersion: job.kubernetesVersion };
    case 'scale':
      return {
        nodes: [...new Set([...nodes, ...job.nodes])].sort(),
        kubernetesVersion: version ?? job.kubernetesVersion,
      };
    case 'remove-node':
      return {
        nodes: nodes.filter((n) => !job.nodes.includes(n)),
        ...(version ? { kubernetesVersion: version } : {}),
      };
    case 'upgrade':
      return { nodes, kubernetesVersion: job.kubernetesVersion };
    case 'reset':
      return { nodes: [] };
  }
}

// The Cluster's status, computed in one place from the decision just taken. Pure.
export function computeClusterStatus(
  cluster: Cluster,
  action: InstallAction,
  base: Pick<ClusterStatus, 'nodes' | 'kubernetesVersion' | 'runs'>,
  now: string,
): ClusterStatus {
  const generation = cluster.metadata.generation;
  const lastRun = base.runs?.at(-1);
  let provisioned: ConditionInput;
  let inProgress: ConditionInput;
  let phase: ClusterStatus['phase'];
  const running = action.type === 'wait' || action.type === 'start';
  if (running) {
    const what =
      action.type === 'wait'
        ? `${action.job.operation} (Job ${action.job.name})`
        : `${action.plan.operation} (Job ${action.plan.jobName})`;
    inProgress = {
      type: ClusterOperationInProgressCondition,
      status: 'True',
      reason: OperationRunningReason,
      message: what,
    };
  } else {
    inProgress = {
      type: ClusterOperationInProgressCondition,
      status: 'False',
      reason: IdleReason,
      message: 'no playbook running',
    };
  }
  const hasNodes = (base.nodes ?? []).length > 0;
  if (action.type === 'idle' && action.reason === 'UpToDate') {
    provisioned = {
      type: ClusterProvisionedCondition,
      status: 'True',
      reason: OperationSucceededReason,
      message: action.message,
    };
    phase = 'Provisioned';
  } else if (action.type === 'idle' && action.reason === 'Failed') {
    provisioned = {
      type: ClusterProvisionedCondition,
      status: 'False',
      reason: OperationFailedReason,
      message: action.message,
    };
    phase = 'Failed';
  } else if (action.type === 'idle') {
    provisioned = {
      type: ClusterProvisionedCondition,
      status: 'False',
      reason: WaitingForMachinesClusterReason,
      message: action.message,
    };
    phase = hasNodes ? 'Provisioning' : 'Pending';
  } else if (running) {
    provisioned = {
      type: ClusterProvisionedCondition,
      status: 'False',
      reason: OperationRunningReason,
      message: inProgress.message,
    };
    phase = 'Provisioning';
  } else {
    // record / remove-finalizer: a transient state, the next reconcile decides again.
    const failed = lastRun?.result === 'Failed';
    provisioned = {
      type: ClusterProvisionedCondition,
      status: 'False',
      reason: failed ? OperationFailedReason : hasNodes ? OperationRunningReason : NeverProvisionedReason,
      message: lastRun ? `last run ${lastRun.job}: ${lastRun.result}` : 'never provisioned',
    };
    phase = failed ? 'Failed' : hasNodes ? 'Provisioning' : 'Pending';
  }
  if (cluster.metadata.deletionTimestamp) phase = 'Deleting';
  return {
    phase,
    observedGeneration: generation,
    nodes: base.nodes ?? [],
    ...(base.kubernetesVersion ? { kubernetesVersion: base.kubernetesVersion } : {}),
    runs: base.runs ?? [],
    conditions: setConditions(
      cluster.status?.conditions,
      [provisioned, inProgress].map((c) => ({ ...c, observedGeneration: generation })),
      now,
    ),
  };
}

// The log tail of a failed run. No kubelet runs in the integration tests' control plane, so no pod
// log can be read there: the tail comes from the container's termination message (the executor
// Job sets terminationMessagePolicy: FallbackToLogsOnError, so a real kubelet copies the last log
// lines there), or from the kvmatrix.io/log-tail annotation a test (or the executor) sets on the pod.
export interface PodLike {
  metadata: { annotations?: Record<string, string>; creationTimestamp?: string };
  status?: { containerStatuses?: Array<{ state?: { terminated?: { message?: string } } }> };
}

export function extractLogTail(pods: PodLike[], annotation: string, maxBytes = 4096): string | undefined {
  const newest = [...pods].sort((a, b) =>
    (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''),
  );
  for (const pod of newest) {
    const text =
      pod.metadata.annotations?.[annotation] ??
      pod.status?.containerStatuses?.map((c) => c.state?.terminated?.message).find((m) => m);
    if (text) return text.length > maxBytes ? text.slice(text.length - maxBytes) : text;
  }
  return undefined;
}
