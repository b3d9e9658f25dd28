// The matrix model as the rest of kvmatrix sees it once loaded and validated. The YAML shape is
// defined by matrix/schema/matrix.schema.json; the loader turns it into these types.

export type NodeRole = 'control-plane' | 'worker' | 'etcd';

// One value of one axis (an OS, a Kubernetes version, ...). `vars` reach the Ansible inventory.
export interface AxisValue {
  id: string;
  description?: string;
  vars: Record<string, unknown>;
}

export interface Axis {
  id: string;
  description?: string;
  values: AxisValue[];
}

// A machine of a layout. `heldBack` machines are provisioned but join only at a scale step.
export interface LayoutNode {
  name: string;
  roles: NodeRole[];
  heldBack?: boolean;
}

export type StepKind =
  | 'deploy'
  | 'scale-up'
  | 'scale-down'
  | 'upgrade'
  | 'parameter-change'
  | 'idempotence'
  | 'recover'
  | 'reset';

export type CheckId =
  | 'apiserver'
  | 'nodes-ready'
  | 'system-pods'
  | 'pod-network'
  | 'service-dns'
  | 'e2e'
  | 'conformance';

// One step of a scenario: a playbook entry with its --limit and extra variables, then checks.
export interface Step {
  id: string;
  kind: StepKind;
  playbook: string;
  limit?: string;
  vars?: Record<string, unknown>;
  // For scale steps: the layout nodes this step adds or removes.
  nodes?: string[];
  checks: CheckId[];
  timeoutMinutes?: number;
}

export interface Scenario {
  id: string;
  description?: string;
  steps: Step[];
}

export interface MachineSize {
  cpus: number;
  memoryMiB: number;
  diskGiB: number;
}

export interface CellOverrides {
  machine?: Partial<MachineSize>;
  timeoutMinutes?: number;
  stepTimeoutMinutes?: number;
}

export interface Quarantine {
  issue: string;
  reason?: string;
}

// One cell of the matrix: the unit a pipeline job or `kvmatrix run` executes.
export interface MatrixCell {
  // Stable and readable: axis values joined in axis order, then the scenario.
  name: string;
  axes: Record<string, string>;
  scenario: string;
  quarantine?: Quarantine;
  overrides?: CellOverrides;
}
