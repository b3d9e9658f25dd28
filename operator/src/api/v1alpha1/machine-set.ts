import { type Condition, conditionsSchema } from './condition.ts';
import {
  type KindDefinition,
  type KubeObject,
  type LabelSelector,
  labelSelectorSchema,
  type MachineRole,
  roleSchema,
  type SchemaProps,
} from './meta.ts';

// MachineSet: one role group of a cluster. Its controller claims Idle Machines matching the
// selector (a claim is a write guarded by the Machine's resourceVersion) and releases surplus ones.

export interface MachineSetSpec {
  clusterName: string;
  role: MachineRole;
  replicas: number;
  selector: LabelSelector;
}

export interface MachineSetStatus {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  machines?: string[];
  conditions?: Condition[];
}

export interface MachineSet extends KubeObject {
  spec: MachineSetSpec;
  status?: MachineSetStatus;
}

export const MachineSetMachinesBoundCondition = 'MachinesBound';
export const MachineSetReadyCondition = 'Ready';

export const InsufficientMachinesReason = 'InsufficientMachines';
export const ReleasingMachinesReason = 'ReleasingMachines';
export const MachinesBoundReason = 'MachinesBound';
export const MachinesReadyReason = 'MachinesReady';
export const MachinesNotReadyReason = 'MachinesNotReady';

const specSchema: SchemaProps = {
  type: 'object',
  required: ['clusterName', 'role', 'replicas', 'selector'],
  properties: {
    clusterName: { type: 'string', minLength: 1 },
    role: roleSchema,
    replicas: { type: 'integer', minimum: 0 },
    selector: labelSelectorSchema,
  },
};

const statusSchema: SchemaProps = {
  type: 'object',
  properties: {
    observedGeneration: { type: 'integer' },
    replicas: { type: 'integer', description: 'Machines bound to this set.' },
    readyReplicas: { type: 'integer' },
    machines: { type: 'array', items: { type: 'string' } },
    conditions: conditionsSchema,
  },
};

export const machineSetKind: KindDefinition = {
  kind: 'MachineSet',
  plural: 'machinesets',
  singular: 'machineset',
  shortNames: ['kvms'],
  description: 'One role group (control plane, worker, etcd) of a ClusterDeployment.',
  specSchema,
  statusSchema,
  printerColumns: [
    { name: 'Cluster', type: 'string', jsonPath: '.spec.clusterName' },
    { name: 'Role', type: 'string', jsonPath: '.spec.role' },
    { name: 'Desired', type: 'integer', jsonPath: '.spec.replicas' },
    { name: 'Bound', type: 'integer', jsonPath: '.status.replicas' },
    { name: 'Ready', type: 'integer', jsonPath: '.status.readyReplicas' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};
