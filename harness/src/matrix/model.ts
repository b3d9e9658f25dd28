// The matrix model as the rest of kvmatrix sees it once loaded and validated. The YAML shape is
// defined by matrix/schema/matrix.schema.json; the loader turns it into these types.

import type { CheckId } from '../contracts/check-ids.ts';
import type { MachineSize, NodeRole } from '../contracts/machine.ts';

// One value of one axis (an OS, a Kubernetes version, ...). `vars` reach the Ansible inventory.
export interface AxisValue {
  id: string;
  description?: string;
  vars: Record<string, unknown>;
  // Providers that can run cells with this value (absent: every provider).
  providers?: string[];
  // Left out of cell names (at most one value per axis), so that adding an axis keeps names.
  omitFromName?: boolean;
  // Why this value is not verified on kvmatrix's own test bed: its cells stay in the full
  // matrix, marked, and tiers leave them out unless they name them (or `includeUnverified`).
  unverified?: string;
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

// The machines of one value of the `layout` axis. A held-back node is provisioned only for a
// scenario whose scale step adds it; until then the inventory keeps it in `kvmatrix_pending`.
export interface Layout {
  id: string;
  description?: string;
  nodes: LayoutNode[];
}

export type StepKind =
  | 'deploy'
  | 'scale-up'
  | 'scale-down'
  | 'upgrade'
  | 'parameter-change'
  | 'idempotence'
  | 'recover'
  | 'reset'
  // The operator cell (harness/src/run/operator-cell): install the operator into the management
  // cluster, let it build the workload cluster, grow it through the ClusterDeployment, delete it
  // (the operator resets the nodes and releases the machines).
  | 'operator-install'
  | 'operator-cluster'
  | 'operator-scale'
  | 'operator-delete';

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
  // Set when an axis value of the cell is marked `unverified`: one "<axis> <value>: <reason>" each.
  unverified?: string[];
}

// ---- The loaded matrix definition (what matrix/matrix.yaml says, validated) ----

// A partial assignment of axis values (and optionally the scenario): `{ os: [debian12] }`.
// Every named key must match; a list means any of its values.
export type Selector = Record<string, string[]>;

// A scale step names the role it adds or removes; the resolver turns it into the layout's
// held-back nodes of that role.
export interface ScaleSpec {
  action: 'add' | 'remove';
  role: NodeRole;
}

// A step of the step library. `vars` values may reference cell variables as `${name}`.
export interface StepDefinition {
  id: string;
  kind: StepKind;
  playbook: string;
  description?: string;
  vars?: Record<string, unknown>;
  scale?: ScaleSpec;
  checks: CheckId[];
  timeoutMinutes?: number;
}

export interface ScenarioDefinition {
  id: string;
  description?: string;
  steps: string[];
  // Restricts the axis values the scenario combines with (absent: all).
  when?: Selector;
}

export type TierStrategy = 'product' | 'pairwise' | 'cells';

// Mixed strength: the combinations of these axes (or `scenario`) are covered at `strength`.
export interface StrengthGroup {
  axes: string[];
  strength: 2 | 3;
}

// What seeds a covering set: a cell name, `quarantined` or `failed` (see the schema).
export type SeedSource = string;

export interface Tier {
  id: string;
  description?: string;
  strategy: TierStrategy;
  // Named cells: they start the covering set of a pairwise tier, and are added to the others.
  cells: string[];
  // Pairwise only: strength over all axes (2 or 3), higher-strength groups, a budget, seeds.
  strength?: 2 | 3;
  groups?: StrengthGroup[];
  maxCells?: number;
  seed?: SeedSource[];
  // Only cells matching this selector take part (absent: all).
  where?: Selector;
  exclude: Selector[];
  // Whether `--changed-from` may narrow this tier (release gating runs everything).
  changeImpact: boolean;
  // Whether cells with an `unverified` axis value take part without being named.
  includeUnverified: boolean;
}

// A rule between axis values applied while the matrix is generated: `requires` (a cell matching
// `if` must match `must`) or `implies` (the same, and a cell matching `must` must match `if`).
export interface Constraint {
  kind: 'requires' | 'implies';
  if: Selector;
  // The selector under `requires:` or `implies:`.
  must: Selector;
}

export interface CellOverrideRule extends CellOverrides {
  match: Selector;
}

export interface QuarantineEntry extends Quarantine {
  cell: string;
}

// Which paths affect which cells: a changed file selects the tier's cells matching `select`
// of every rule whose `paths` (globs) match it; `ignore` paths select nothing.
export interface ChangeImpactRule {
  paths: string[];
  // Absent or empty: every cell of the tier.
  select?: Selector;
  roles?: NodeRole[];
}

export interface ChangeImpact {
  ignore: string[];
  rules: ChangeImpactRule[];
}

// Settings of the generated GitLab pipelines.
export interface PipelineSettings {
  image: string;
  tags: string[];
  provider: string;
  // A child pipeline holds at most this many cell jobs; larger tiers are sharded.
  jobsPerPipeline: number;
}

export interface MatrixDefaults {
  machine: MachineSize;
  timeoutMinutes: number;
  stepTimeoutMinutes: number;
}

// Bounds from the file's `limits:` (see input-limits.ts for the defaults and the ceilings).
export interface MatrixLimits {
  maxCells: number;
}

// The deployment code the cells run; the loader's I/O edge checks the matrix against it.
export interface DeploymentCode {
  // The playbooks folder as written, relative to the matrix file.
  playbooks: string;
}

export interface MatrixDefinition {
  file: string;
  limits: MatrixLimits;
  deployment?: DeploymentCode;
  // Axis order is the order of the file and fixes the order of values in cell names.
  axes: Axis[];
  layouts: Record<string, Layout>;
  steps: Record<string, StepDefinition>;
  scenarios: ScenarioDefinition[];
  exclude: Selector[];
  constraints: Constraint[];
  // Full assignments (every axis and the scenario) added after the excludes.
  include: Array<Record<string, string>>;
  tiers: Tier[];
  overrides: CellOverrideRule[];
  quarantine: QuarantineEntry[];
  changeImpact: ChangeImpact;
  defaults: MatrixDefaults;
  pipeline: PipelineSettings;
}

// A cell with everything `kvmatrix run` needs: the layout's machines (held-back nodes only when
// a scale step uses them), the scenario's steps with their nodes and vars resolved, and the
// Ansible variables merged from the cell's axis values.
export interface ResolvedCell extends MatrixCell {
  axisValues: Record<string, AxisValue>;
  layout: Layout;
  steps: Step[];
  vars: Record<string, unknown>;
  machine: MachineSize;
  timeoutMinutes: number;
  stepTimeoutMinutes: number;
  // Providers that can run this cell (absent: every provider).
  providers?: string[];
}
