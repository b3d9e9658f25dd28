// Shared shapes of the kvmatrix.io/v1alpha1 API: group/version, object metadata as the API
// server returns it (raw JSON, timestamps as RFC 3339 strings), well-known labels, annotations and
// finalizers, and the schema helpers every kind file uses.

export const GROUP = 'kvmatrix.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

// Labels the operator puts on what it creates, so it can be found (and adopted) again.
export const ClusterLabel = 'kvmatrix.io/cluster';
export const MachineSetLabel = 'kvmatrix.io/machine-set';
export const OperationLabel = 'kvmatrix.io/operation';
export const AttemptLabel = 'kvmatrix.io/attempt';
export const ManagedByLabel = 'app.kubernetes.io/managed-by';
export const ManagedByValue = 'kvmatrix-operator';

// The per-cluster operation lock: `<operation>/<attempt>/<job>`, written on the Cluster with a
// resourceVersion precondition, removed when the Job's outcome is recorded.
export const OperationLockAnnotation = 'kvmatrix.io/operation-lock';
// Where the pod log tail can be found when no kubelet writes a termination message (tests set it).
export const LogTailAnnotation = 'kvmatrix.io/log-tail';
// Bumping this annotation on a ClusterDeployment asks for a new attempt of a failed operation.
export const RetryAnnotation = 'kvmatrix.io/retry';

export const MachineSetFinalizer = 'kvmatrix.io/release-machines';
export const ClusterFinalizer = 'kvmatrix.io/reset-nodes';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
}

// JSON Schema (OpenAPI v3, structural) as CustomResourceDefinitions take it.
export interface SchemaProps {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, SchemaProps>;
  required?: string[];
  items?: SchemaProps;
  additionalProperties?: SchemaProps | boolean;
  enum?: Array<string | number>;
  default?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  nullable?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-validations'?: Array<{ rule: string; message: string }>;
}

export function describe(description: string, schema: SchemaProps): SchemaProps {
  return { description, ...schema };
}

export const stringMapSchema: SchemaProps = { type: 'object', additionalProperties: { type: 'string' } };

export const labelSelectorSchema: SchemaProps = {
  type: 'object',
  description: 'Labels a Machine must carry (all of them) to be claimed.',
  properties: { matchLabels: stringMapSchema },
};

export const versionSchema: SchemaProps = {
  type: 'string',
  pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$',
  description: 'A Kubernetes release without the leading v, e.g. 1.34.4.',
};

export const roleSchema: SchemaProps = {
  type: 'string',
  enum: ['control-plane', 'worker', 'etcd'],
};

export type MachineRole = 'control-plane' | 'worker' | 'etcd';

// The printer-column shape of a CRD version.
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'date' | 'boolean' | 'number';
  jsonPath: string;
  description?: string;
  priority?: number;
}

// Everything the CRD generator needs to know about one kind.
export interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  description: string;
  specSchema: SchemaProps;
  statusSchema: SchemaProps;
  printerColumns: PrinterColumn[];
}
