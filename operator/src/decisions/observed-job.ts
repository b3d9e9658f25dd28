import type { Operation } from '../api/v1alpha1/cluster.ts';
import { AttemptLabel, OperationLabel } from '../api/v1alpha1/meta.ts';

// Annotations on each playbook Job: what it was asked to do, so that a restarted operator can
// adopt it and record its outcome from the Job alone.
export const TargetAnnotation = 'kvmatrix.io/target';
export const NodesAnnotation = 'kvmatrix.io/nodes';
export const KubernetesVersionAnnotation = 'kvmatrix.io/kubernetes-version';
export const RecordedAnnotation = 'kvmatrix.io/recorded';

export interface BatchJob {
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    resourceVersion?: string;
  };
  spec?: unknown;
  status?: {
    startTime?: string;
    completionTime?: string;
    active?: number;
    succeeded?: number;
    failed?: number;
    conditions?: Array<{
      type: string;
      status: string;
      reason?: string;
      message?: string;
      lastTransitionTime?: string;
    }>;
  };
}

export interface ObservedJob {
  name: string;
  operation: Operation;
  attempt: number;
  target: string;
  nodes: string[];
  kubernetesVersion: string;
  startTime: string;
  state: 'Running' | 'Succeeded' | 'Failed';
  completionTime?: string;
  message?: string;
  recorded: boolean;
}

// Reads a Job the operator created. The Job controller's terminal conditions decide the state
// (Complete/SuccessCriteriaMet, Failed/FailureTarget).
export function observeJob(job: BatchJob): ObservedJob {
  const labels = job.metadata.labels ?? {};
  const annotations = job.metadata.annotations ?? {};
  const conditions = job.status?.conditions ?? [];
  const isTrue = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
  const failed = conditions.find(
    (c) => (c.type === 'Failed' || c.type === 'FailureTarget') && c.status === 'True',
  );
  const state = failed
    ? 'Failed'
    : isTrue('Complete') || isTrue('SuccessCriteriaMet')
      ? 'Succeeded'
      : 'Running';
  const end = conditions.find(
    (c) => c.status === 'True' && c.type === (state === 'Failed' ? 'Failed' : 'Complete'),
  );
  return {
    name: job.metadata.name,
    operation: (labels[OperationLabel] ?? 'install') as Operation,
    attempt: Number(labels[AttemptLabel] ?? '1'),
    target: annotations[TargetAnnotation] ?? '',
    nodes: (annotations[NodesAnnotation] ?? '').split(',').filter(Boolean),
    kubernetesVersion: annotations[KubernetesVersionAnnotation] ?? '',
    startTime: job.status?.startTime ?? job.metadata.creationTimestamp ?? '',
    state,
    completionTime: state === 'Running' ? undefined : (job.status?.completionTime ?? end?.lastTransitionTime),
    message: failed ? [failed.reason, failed.message].filter(Boolean).join(': ') : undefined,
    recorded: annotations[RecordedAnnotation] === 'true',
  };
}
