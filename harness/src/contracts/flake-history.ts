import type { CellOutcome } from './result-record.ts';

// The flake history: results per cell over time, keyed by commit. Kept between pipelines as a
// CI cache (and exposed as an artifact); read and written by the CLI,
// transformed by report/flake-history.ts, read by the matrix's selection (failed cells first).
export const FLAKE_HISTORY_VERSION = 1;

export interface RunEntry {
  outcome: CellOutcome;
  finishedAt: string;
  pipelineId?: string;
  jobId?: string;
  jobUrl?: string;
  attempt?: number;
  reason?: string;
  // Where and how long it ran, and what (kubelet, runtime, OS image, harness commit): the
  // evidence `kvmatrix matrix status` shows. Absent in entries written before they were kept.
  provider?: string;
  durationMs?: number;
  versions?: Record<string, string>;
}

export interface FlakeHistory {
  schemaVersion: typeof FLAKE_HISTORY_VERSION;
  // cell name -> commit sha -> runs of that cell on that commit
  cells: Record<string, Record<string, RunEntry[]>>;
}
