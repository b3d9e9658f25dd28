import { type Condition, conditionsSchema } from './condition.ts';
import {
  type KindDefinition,
  type KubeObject,
  type LabelSelector,
  labelSelectorSchema,
  type MachineRole,
  roleSchema,
  type SchemaProps,
  versionSchema,
} from './meta.ts';

// ClusterDeployment: the one resource an administrator writes. The operator owns a MachineSet
// per entry of spec.machineSets and one Cluster of the same name; deleting it cascades.

export interface MachineSetTemplate {
  name: string;
  role: MachineRole;
  replicas: number;
  selector: LabelSelector;
}

export interface AddonSpec {
  name: string;
  version: string;
  // A ConfigMap in the ClusterDeployment's namespace whose data values are manifests (YAML).
  manifestsConfigMap: string;
}

export interface ClusterDeploymentSpec {
  kubernetesVersion: string;
  etcd: { topology: 'stacked' | 'external' };
  loadBalancer: { type: 'none' | 'kube-vip' | 'haproxy'; address?: string };
  networkPlugin: string;
  containerRuntime: string;
  os?: string;
  // Secret (type kubernetes.io/ssh-auth) holding the key the playbooks log in with.
  sshKeySecret: string;
  // Offline artifact set: file server base URL and registry mirror (host:port).
  artifacts?: { url?: string; registry?: string };
  executorImage?: string;
  addons?: AddonSpec[];
  machineSets: MachineSetTemplate[];
}

export interface ClusterDeploymentStatus {
  phase?: ClusterDeploymentPhase;
  observedGeneration?: number;
  kubernetesVersion?: string;
  machineSets?: Array<{
    name: string;
    role: MachineRole;
    replicas: number;
    boundReplicas: number;
    readyReplicas: number;
  }>;
  conditions?: Condition[];
}

export type ClusterDeploymentPhase = 'Pending' | 'Binding' | 'Provisioning' | 'Ready' | 'Failed' | 'Deleting';

export interface ClusterDeployment extends KubeObject {
  spec: ClusterDeploymentSpec;
  status?: ClusterDeploymentStatus;
}

export const ClusterDeploymentMachinesBoundCondition = 'MachinesBound';
export const ClusterDeploymentProvisionedCondition = 'Provisioned';
export const ClusterDeploymentAddonsAppliedCondition = 'AddonsApplied';
export const ClusterDeploymentReadyCondition = 'Ready';

export const WaitingForMachinesReason = 'WaitingForMachines';
export const AllMachinesBoundReason = 'AllMachinesBound';
export const PlaybookRunningReason = 'PlaybookRunning';
export const PlaybookSucceededReason = 'PlaybookSucceeded';
export const PlaybookFailedReason = 'PlaybookFailed';
export const NodesNotReadyReason = 'NodesNotReady';
export const ClusterReadyReason = 'ClusterReady';
export const AddonsPendingReason = 'AddonsPending';
export const AddonsAppliedReason = 'AddonsApplied';
export const AddonsFailedReason = 'AddonsFailed';
export const NoAddonsReason = 'NoAddons';
export const DeletingReason = 'Deleting';

const machineSetTemplateSchema: SchemaProps = {
  type: 'object',
  required: ['name', 'role', 'replicas', 'selector'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 20 },
    role: roleSchema,
    replicas: { type: 'integer', minimum: 0, maximum: 1000 },
    selector: labelSelectorSchema,
  },
};

const specSchema: SchemaProps = {
  type: 'object',
  required: ['kubernetesVersion', 'networkPlugin', 'sshKeySecret', 'machineSets'],
  properties: {
    kubernetesVersion: versionSchema,
    etcd: {
      type: 'object',
      default: { topology: 'stacked' },
      properties: { topology: { type: 'string', enum: ['stacked', 'external'], default: 'stacked' } },
    },
    loadBalancer: {
      type: 'object',
      default: { type: 'none' },
      properties: {
        type: { type: 'string', enum: ['none', 'kube-vip', 'haproxy'], default: 'none' },
        address: { type: 'string' },
      },
    },
    networkPlugin: { type: 'string', minLength: 1, description: 'The network_plugin axis, e.g. calico.' },
    containerRuntime: { type: 'string', default: 'containerd' },
    os: { type: 'string', description: 'The kvmatrix_os inventory variable.' },
    sshKeySecret: { type: 'string', minLength: 1, description: 'Secret with the SSH private key.' },
    artifacts: {
      type: 'object',
      properties: { url: { type: 'string' }, registry: { type: 'string' } },
    },
    executorImage: { type: 'string', description: 'Overrides the operator-wide executor image.' },
    addons: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: {
        type: 'object',
        required: ['name', 'version', 'manifestsConfigMap'],
        properties: {
          name: { type: 'string', minLength: 1 },
          version: { type: 'string', minLength: 1 },
          manifestsConfigMap: { type: 'string', minLength: 1 },
        },
      },
    },
    machineSets: {
      type: 'array',
      minItems: 1,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: machineSetTemplateSchema,
      'x-kubernetes-validations': [
        {
          rule: "self.exists(s, s.role == 'control-plane' && s.replicas > 0)",
          message: 'at least one machine set with role control-plane and replicas > 0 is required',
        },
      ],
    },
  },
};

const statusSchema: SchemaProps = {
  type: 'object',
  properties: {
    phase: { type: 'string', enum: ['Pending', 'Binding', 'Provisioning', 'Ready', 'Failed', 'Deleting'] },
    observedGeneration: { type: 'integer' },
    kubernetesVersion: { type: 'string' },
    machineSets: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          role: roleSchema,
          replicas: { type: 'integer' },
          boundReplicas: { type: 'integer' },
          readyReplicas: { type: 'integer' },
        },
      },
    },
    conditions: conditionsSchema,
  },
};

export const clusterDeploymentKind: KindDefinition = {
  kind: 'ClusterDeployment',
  plural: 'clusterdeployments',
  singular: 'clusterdeployment',
  shortNames: ['cd', 'kvcd'],
  description: 'A Kubernetes cluster to be deployed by the kvmatrix playbooks onto claimed Machines.',
  specSchema,
  statusSchema,
  printerColumns: [
    { name: 'Version', type: 'string', jsonPath: '.spec.kubernetesVersion' },
    { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
    { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};
