// The one record per cell from which every report (JUnit, JSON, Markdown, HTML, MR comment) is
// derived. Written by `kvmatrix run` as result.json; read by `kvmatrix report`.
export const RESULT_SCHEMA_VERSION = 1;

// How long one phase of a cell took (starting the mirror, provisioning a machine, ...). Providers
// report their phases in this shape; the record keeps them for the timeline of the reports.
export interface PhaseTiming {
  phase: string;
  machine?: string;
  startedAt: string;
  durationMs: number;
}

export type Outcome = 'passed' | 'failed' | 'skipped' | 'error';

export interface CheckResult {
  id: string;
  name: string;
  outcome: Outcome;
  durationMs: number;
  message?: string;
  evidence?: string;
  // Checks that run a test suite (e2e, conformance): its counts and every spec that ran or
  // skipped itself (specs the focus did not select are only counted).
  specCounts?: SpecCounts;
  specs?: SpecResult[];
}

// One spec of a test suite (a ginkgo spec of e2e.test), with its own duration.
export interface SpecResult {
  name: string;
  outcome: Outcome;
  durationMs: number;
  message?: string;
}

export interface SpecCounts {
  // Specs the focus and skip selected: passed + failed + skipped.
  selected: number;
  passed: number;
  failed: number;
  // Selected specs that skipped themselves (a missing feature, too few nodes), with their reason.
  skipped: number;
  // Specs of the suite the focus or skip patterns left out.
  notSelected: number;
}

export interface TaskTiming {
  host: string;
  task: string;
  durationMs: number;
  changed: boolean;
}

export interface ChangedTask {
  host: string;
  task: string;
  diff?: string;
}

export interface StepResult {
  id: string;
  kind: string;
  playbook: string;
  outcome: Outcome;
  startedAt: string;
  durationMs: number;
  message?: string;
  checks: CheckResult[];
  tasks?: TaskTiming[];
  changed?: ChangedTask[];
  log?: string;
}

// passed: every step and check passed. failed: a product failure (exit 1, never retried).
// infra-failed: the machines or mirror failed (exit 3, retried). interrupted: SIGINT/SIGTERM.
export type CellOutcome = 'passed' | 'failed' | 'infra-failed' | 'interrupted';

export interface ResultRecord {
  schemaVersion: typeof RESULT_SCHEMA_VERSION;
  cell: string;
  axes: Record<string, string>;
  scenario: string;
  provider: string;
  outcome: CellOutcome;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  phases: PhaseTiming[];
  steps: StepResult[];
  versions: Record<string, string>;
  quarantine?: { issue: string };
  attempt?: number;
  ci?: { pipelineId?: string; jobId?: string; jobUrl?: string; commit?: string; ref?: string };
  artifacts: string[];
  // Why the cell did not pass when no step says it (machines never came up, interrupted): the
  // KvError's code and message, shown by the reports as the one-line reason.
  error?: { code: string; message: string };
}
