import type { ClusterDeploymentSpec } from './cluster-deployment.ts';
import { type Condition, conditionsSchema } from './condition.ts';
import { type KindDefinition, type KubeObject, type SchemaProps, versionSchema } from './meta.ts';

// Cluster: the operator's record of one workload cluster, mirroring its ClusterDeployment's spec.
// Its status is the history of playbook runs (one entry per Job) and what is deployed now.

export type Operation = 'install' | 'scale' | 'remove-node' | 'upgrade' | 'reset';
export type RunResult = 'Running' | 'Succeeded' | 'Failed';

export interface PlaybookRun {
  operation: Operation;
  attempt: number;
  job: string;
  // Hash of what the run was asked to do (operation, version, nodes): identifies retries.
  target: string;
  nodes: string[];
  startTime: string;
  completionTime?: string;
  result: RunResult;
  message?: string;
  logTail?: string;
}

export interface ClusterSpec extends Omit<ClusterDeploymentSpec, 'machineSets'> {
  clusterDeployment: string;
}

export interface AddonStatus {
  name: string;
  version: string;
  hash: string;
  result: 'Applied' | 'Failed';
  message?: string;
  time: string;
}

export interface ClusterStatus {
  phase?: 'Pending' | 'Provisioning' | 'Provisioned' | 'Failed' | 'Deleting';
  observedGeneration?: number;
  // What the last successful runs left behind.
  kubernetesVersion?: string;
  nodes?: string[];
  runs?: PlaybookRun[];
  addons?: AddonStatus[];
  conditions?: Condition[];
}

export interface Cluster extends KubeObject {
  spec: ClusterSpec;
  status?: ClusterStatus;
}

export const ClusterProvisionedCondition = 'Provisioned';
export const ClusterOperationInProgressCondition = 'OperationInProgress';

export const NeverProvisionedReason = 'NeverProvisioned';
export const WaitingForMachinesClusterReason = 'WaitingForMachines';
export const OperationRunningReason = 'OperationRunning';
export const OperationSucceededReason = 'OperationSucceeded';
export const OperationFailedReason = 'OperationFailed';
export const IdleReason = 'Idle';

// Only the most recent runs are kept in status; the Jobs themselves carry the rest.
export const MaxRecordedRuns = 20;

const runSchema: SchemaProps = {
  type: 'object',
  required: ['operation', 'attempt', 'job', 'target', 'startTime', 'result'],
  properties: {
    operation: { type: 'string', enum: ['install', 'scale', 'remove-node', 'upgrade', 'reset'] },
    attempt: { type: 'integer', minimum: 1 },
    job: { type: 'string' },
    target: { type: 'string' },
    nodes: { type: 'array', items: { type: 'string' } },
    startTime: { type: 'string', format: 'date-time' },
    completionTime: { type: 'string', format: 'date-time' },
    result: { type: 'string', enum: ['Running', 'Succeeded', 'Failed'] },
    message: { type: 'string' },
    logTail: { type: 'string', maxLength: 16384 },
  },
};

const specSchema: SchemaProps = {
  type: 'object',
  required: ['clusterDeployment', 'kubernetesVersion', 'sshKeySecret'],
  properties: {
    clusterDeployment: { type: 'string' },
    kubernetesVersion: versionSchema,
    etcd: { type: 'object', properties: { topology: { type: 'string', enum: ['stacked', 'external'] } } },
    loadBalancer: {
      type: 'object',
      properties: {
        type: { type: 'string', enum: ['none', 'kube-vip', 'haproxy'] },
        address: { type: 'string' },
      },
    },
    networkPlugin: { type: 'string' },
    containerRuntime: { type: 'string' },
    os: { type: 'string' },
    sshKeySecret: { type: 'string' },
    artifacts: { type: 'object', properties: { url: { type: 'string' }, registry: { type: 'string' } } },
    executorImage: { type: 'string' },
    addons: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          version: { type: 'string' },
          manifestsConfigMap: { type: 'string' },
        },
      },
    },
  },
};

const statusSchema: SchemaProps = {
  type: 'object',
  properties: {
    phase: { type: 'string', enum: ['Pending', 'Provisioning', 'Provisioned', 'Failed', 'Deleting'] },
    observedGeneration: { type: 'integer' },
    kubernetesVersion: { type: 'string' },
    nodes: { type: 'array', items: { type: 'string' } },
    runs: { type: 'array', maxItems: 20, items: runSchema },
    addons: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          version: { type: 'string' },
          hash: { type: 'string' },
          result: { type: 'string', enum: ['Applied', 'Failed'] },
          message: { type: 'string' },
          time: { type: 'string', format: 'date-time' },
        },
      },
    },
    conditions: conditionsSchema,
  },
};

export const clusterKind: KindDefinition = {
  kind: 'Cluster',
  plural: 'clusters',
  singular: 'cluster',
  shortNames: ['kvc'],
  description: 'The operator record of a workload cluster: what is deployed and every playbook run.',
  specSchema,
  statusSchema,
  printerColumns: [
    { name: 'Version', type: 'string', jsonPath: '.status.kubernetesVersion' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Last-Run', type: 'string', jsonPath: '.status.runs[-1:].job', priority: 1 },
    { name: 'Last-Result', type: 'string', jsonPath: '.status.runs[-1:].result' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};
