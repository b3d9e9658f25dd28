import type { ResultRecord } from '../contracts/result-record.ts';
import type { MatrixCell } from '../matrix/model.ts';
import type { RunEvidence } from './cell-evidence.ts';

// What a reviewer needs to know about one cell of a pipeline. Derived only from result records,
// the plan and the flake history, so every renderer (JUnit, Markdown, HTML, JSON, commit
// statuses) shows the same verdict.
//  passed         the last attempt passed and no earlier attempt failed
//  failed         the last attempt is a product failure
//  flaky          a product failure and a pass on the same commit (in this pipeline or the history)
//  quarantined    failed, but the cell is quarantined (does not block the merge request)
//  infra-retried  passed after one or more infrastructure failures
//  infra-failed   every attempt failed on infrastructure (exit 3)
//  interrupted    the run was stopped (SIGINT/SIGTERM, job cancelled)
//  missing        planned, but no result record exists: never counts as passed
export type CellStatus =
  | 'passed'
  | 'failed'
  | 'flaky'
  | 'quarantined'
  | 'infra-retried'
  | 'infra-failed'
  | 'interrupted'
  | 'missing';

export const CELL_STATUSES: readonly CellStatus[] = [
  'failed',
  'infra-failed',
  'interrupted',
  'missing',
  'flaky',
  'quarantined',
  'infra-retried',
  'passed',
];

// Statuses that make the pipeline red.
export const BLOCKING_STATUSES: ReadonlySet<CellStatus> = new Set([
  'failed',
  'infra-failed',
  'interrupted',
  'missing',
]);

export interface FirstFailure {
  step: string;
  check?: string;
  reason: string;
}

export interface CellLinks {
  job?: string;
  artifacts?: string;
}

export interface CellReport {
  name: string;
  axes: Record<string, string>;
  scenario: string;
  status: CellStatus;
  // The attempt the verdict rests on (the last one); absent when missing.
  record?: ResultRecord;
  // Every attempt of this pipeline, oldest first.
  attempts: ResultRecord[];
  durationMs?: number;
  firstFailure?: FirstFailure;
  quarantine?: { issue: string; reason?: string };
  links: CellLinks;
  // Evidence for `flaky` found in the flake history (commits and jobs), if any.
  flakeEvidence?: string[];
  // The cell's latest pass in this pipeline or the flake history: where and when it last worked.
  lastPassed?: RunEvidence;
  // In the results but not in the plan (the plan changed, or a record from elsewhere).
  unplanned?: boolean;
  rerun: string;
}

export interface QuarantineSuggestion {
  cell: string;
  flakes: number;
  window: number;
  evidence: FlakeEvent[];
}

export interface FlakeEvent {
  commit: string;
  failedJob?: string;
  passedJob?: string;
  failedJobUrl?: string;
  passedJobUrl?: string;
  reason?: string;
}

export interface PipelineReport {
  generatedAt: string;
  commit?: string;
  ref?: string;
  pipelineId?: string;
  axisOrder: string[];
  cells: CellReport[];
  counts: Record<CellStatus, number>;
  totalDurationMs: number;
  suggestions: QuarantineSuggestion[];
}

export function isBlocking(status: CellStatus): boolean {
  return BLOCKING_STATUSES.has(status);
}
