import { type Condition, conditionsSchema } from './condition.ts';
import {
  type KindDefinition,
  type KubeObject,
  type MachineRole,
  roleSchema,
  type SchemaProps,
} from './meta.ts';

// Machine: one host the playbooks can log in to. Lifecycle Idle -> Bound -> Deployed -> Ready,
// and Cleaning -> Idle when released. Who writes what:
//   spec.claimRef        the MachineSet controller (claim and release, resourceVersion-guarded);
//   status.deployment    the install controller (set when a playbook run included it, cleared on reset);
//   status.node          the node-health controller (the workload cluster's Node);
//   status.phase, conditions  the Machine controller, computed from the above in one place.

export interface ClaimRef {
  clusterName: string;
  machineSet: string;
  machineSetUid: string;
  role: MachineRole;
  // Set when the set no longer wants the machine; it stays claimed until the node is reset.
  releaseRequested?: boolean;
}

export interface MachineSpec {
  address: string;
  sshUser: string;
  sshPort?: number;
  // The Node name the machine registers as; defaults to metadata.name.
  hostname?: string;
  // Ansible host variables for this machine (facts of its provider, e.g.
  // kvmatrix_node_is_container); the connection variables the operator sets take precedence.
  hostVars?: Record<string, unknown>;
  claimRef?: ClaimRef | null;
}

export interface MachineDeployment {
  clusterName: string;
  kubernetesVersion: string;
  job: string;
  time: string;
}

export interface MachineNodeInfo {
  name: string;
  ready: boolean;
  reason: string;
  message: string;
}

export type MachinePhase = 'Idle' | 'Bound' | 'Deployed' | 'Ready' | 'Cleaning';

export interface MachineStatus {
  phase?: MachinePhase;
  deployment?: MachineDeployment | null;
  node?: MachineNodeInfo | null;
  conditions?: Condition[];
}

export interface Machine extends KubeObject {
  spec: MachineSpec;
  status?: MachineStatus;
}

export const MachineBoundCondition = 'Bound';
export const MachineDeployedCondition = 'Deployed';
export const MachineNodeHealthyCondition = 'NodeHealthy';
export const MachineReadyCondition = 'Ready';

export const MachineIdleReason = 'Idle';
export const MachineClaimedReason = 'Claimed';
export const MachineReleaseRequestedReason = 'ReleaseRequested';
export const MachineClaimLostReason = 'ClaimLost';
export const MachineNotDeployedReason = 'NotDeployed';
export const MachineDeployedReason = 'PlaybookIncludedMachine';
export const MachineNodeMissingReason = 'NodeMissing';
// Why a Machine's node is not Ready, as node health records it (status.node.reason).
export const NodeNotFoundReason = 'NodeNotFound';
export const NodeNoReadyConditionReason = 'NoReadyCondition';
export const MachineNodeReadyReason = 'NodeReady';
export const MachineNodeNotReadyReason = 'NodeNotReady';

export function nodeNameOf(machine: Machine): string {
  return machine.spec.hostname ?? machine.metadata.name;
}

const specSchema: SchemaProps = {
  type: 'object',
  required: ['address', 'sshUser'],
  properties: {
    address: { type: 'string', minLength: 1, description: 'IP address or DNS name the playbooks reach.' },
    sshUser: { type: 'string', minLength: 1, default: 'root' },
    sshPort: { type: 'integer', minimum: 1, maximum: 65535, default: 22 },
    hostname: { type: 'string' },
    hostVars: {
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
      description: 'Ansible host variables of this machine (e.g. kvmatrix_node_is_container).',
    },
    claimRef: {
      type: 'object',
      nullable: true,
      required: ['clusterName', 'machineSet', 'machineSetUid', 'role'],
      properties: {
        clusterName: { type: 'string' },
        machineSet: { type: 'string' },
        machineSetUid: { type: 'string' },
        role: roleSchema,
        releaseRequested: { type: 'boolean' },
      },
    },
  },
};

const statusSchema: SchemaProps = {
  type: 'object',
  properties: {
    phase: { type: 'string', enum: ['Idle', 'Bound', 'Deployed', 'Ready', 'Cleaning'] },
    deployment: {
      type: 'object',
      nullable: true,
      properties: {
        clusterName: { type: 'string' },
        kubernetesVersion: { type: 'string' },
        job: { type: 'string' },
        time: { type: 'string', format: 'date-time' },
      },
    },
    node: {
      type: 'object',
      nullable: true,
      properties: {
        name: { type: 'string' },
        ready: { type: 'boolean' },
        reason: { type: 'string' },
        message: { type: 'string' },
      },
    },
    conditions: conditionsSchema,
  },
};

export const machineKind: KindDefinition = {
  kind: 'Machine',
  plural: 'machines',
  singular: 'machine',
  shortNames: ['kvm'],
  description: 'A host (VM, node container or bare metal) that the operator can claim for a cluster.',
  specSchema,
  statusSchema,
  printerColumns: [
    { name: 'Address', type: 'string', jsonPath: '.spec.address' },
    { name: 'Cluster', type: 'string', jsonPath: '.spec.claimRef.clusterName' },
    { name: 'Role', type: 'string', jsonPath: '.spec.claimRef.role' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};
