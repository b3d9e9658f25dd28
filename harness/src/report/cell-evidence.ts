import type { FlakeHistory, RunEntry } from '../contracts/flake-history.ts';
import type { CellOutcome, ResultRecord } from '../contracts/result-record.ts';
import type { Axis, MatrixCell } from '../matrix/model.ts';

// Where each cell, and each axis value, last passed and last failed: the evidence behind a matrix
// that promises a cell can run. Built from result records (this machine's runs, a pipeline's
// artifacts) and the flake history the report job keeps between pipelines. Pure.

// One run as the evidence shows it.
export interface RunEvidence {
  cell: string;
  outcome: CellOutcome;
  finishedAt: string;
  provider?: string;
  durationMs?: number;
  // The versions that ran: kubelet, container runtime, OS image, the harness commit.
  versions?: Record<string, string>;
  commit?: string;
  jobUrl?: string;
  reason?: string;
  // Where it came from: a result record or the flake history.
  source: 'record' | 'history';
}

export interface CellEvidence {
  cell: string;
  runs: number;
  lastPassed?: RunEvidence;
  lastFailed?: RunEvidence;
}

export interface AxisValueEvidence {
  axis: string;
  value: string;
  // Cells of the selection with this value, and how many of them have ever passed.
  cells: number;
  passedCells: number;
  lastPassed?: RunEvidence;
  lastFailed?: RunEvidence;
}

export interface MatrixEvidence {
  cells: CellEvidence[];
  axisValues: AxisValueEvidence[];
}

// The versions worth showing beside a run (the record keeps many more).
export const EVIDENCE_VERSION_KEYS = ['kubelet', 'container-runtime', 'os-image', 'kvmatrix'] as const;

export function pickEvidenceVersions(versions: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of EVIDENCE_VERSION_KEYS) {
    const value = versions?.[key];
    if (value) out[key] = value;
  }
  return out;
}

function reasonOf(record: ResultRecord): string | undefined {
  if (record.outcome === 'passed') return undefined;
  const step = record.steps.find((s) => s.outcome === 'failed' || s.outcome === 'error');
  const check = step?.checks.find((c) => c.outcome === 'failed' || c.outcome === 'error');
  const text = record.error?.message ?? check?.message ?? step?.message;
  const where = step ? `step ${step.id}${check ? `, check ${check.id}` : ''}` : undefined;
  const line = text?.split('\n')[0];
  return [where, line].filter(Boolean).join(': ') || undefined;
}

export function runFromRecord(record: ResultRecord): RunEvidence {
  const versions = pickEvidenceVersions(record.versions);
  const reason = reasonOf(record);
  return {
    cell: record.cell,
    outcome: record.outcome,
    finishedAt: record.finishedAt,
    provider: record.provider,
    durationMs: record.durationMs,
    ...(Object.keys(versions).length ? { versions } : {}),
    ...(record.ci?.commit ? { commit: record.ci.commit } : {}),
    ...(record.ci?.jobUrl ? { jobUrl: record.ci.jobUrl } : {}),
    ...(reason ? { reason } : {}),
    source: 'record',
  };
}

function runFromHistory(cell: string, commit: string, entry: RunEntry): RunEvidence {
  return {
    cell,
    outcome: entry.outcome,
    finishedAt: entry.finishedAt,
    ...(entry.provider ? { provider: entry.provider } : {}),
    ...(entry.durationMs !== undefined ? { durationMs: entry.durationMs } : {}),
    ...(entry.versions ? { versions: entry.versions } : {}),
    commit,
    ...(entry.jobUrl ? { jobUrl: entry.jobUrl } : {}),
    ...(entry.reason ? { reason: entry.reason } : {}),
    source: 'history',
  };
}

// A record that the history holds too (the report job added it) counts once, as the record.
function sameRun(a: RunEvidence, b: RunEvidence): boolean {
  if (a.jobUrl && b.jobUrl) return a.jobUrl === b.jobUrl && a.finishedAt === b.finishedAt;
  return a.finishedAt === b.finishedAt && a.outcome === b.outcome;
}

function latest(runs: RunEvidence[], want: (run: RunEvidence) => boolean): RunEvidence | undefined {
  let best: RunEvidence | undefined;
  for (const run of runs) if (want(run) && (!best || run.finishedAt > best.finishedAt)) best = run;
  return best;
}

const passed = (run: RunEvidence) => run.outcome === 'passed';
const failed = (run: RunEvidence) => run.outcome !== 'passed';

export function collectRuns(records: ResultRecord[], history?: FlakeHistory): Map<string, RunEvidence[]> {
  const byCell = new Map<string, RunEvidence[]>();
  const add = (run: RunEvidence) => {
    const runs = byCell.get(run.cell) ?? [];
    byCell.set(run.cell, runs);
    if (!runs.some((other) => sameRun(other, run))) runs.push(run);
  };
  for (const record of records) add(runFromRecord(record));
  for (const [cell, byCommit] of Object.entries(history?.cells ?? {})) {
    for (const [commit, entries] of Object.entries(byCommit)) {
      for (const entry of entries) add(runFromHistory(cell, commit, entry));
    }
  }
  return byCell;
}

// The evidence for `cells` (a tier or the full matrix), per cell and per value of every axis.
// Runs of cells outside `cells` (renamed or removed ones) are left out.
export function buildMatrixEvidence(
  axes: Axis[],
  cells: MatrixCell[],
  records: ResultRecord[],
  history?: FlakeHistory,
): MatrixEvidence {
  const runs = collectRuns(records, history);
  const cellEvidence = cells.map((cell): CellEvidence => {
    const own = runs.get(cell.name) ?? [];
    const lastPassed = latest(own, passed);
    const lastFailed = latest(own, failed);
    return {
      cell: cell.name,
      runs: own.length,
      ...(lastPassed ? { lastPassed } : {}),
      ...(lastFailed ? { lastFailed } : {}),
    };
  });
  const byName = new Map(cellEvidence.map((e) => [e.cell, e]));
  const axisValues: AxisValueEvidence[] = [];
  for (const axis of axes) {
    for (const value of axis.values) {
      const mine = cells.filter((c) => c.axes[axis.id] === value.id).map((c) => byName.get(c.name));
      if (!mine.length) continue;
      const lastPassed = latest(
        mine.flatMap((e) => (e?.lastPassed ? [e.lastPassed] : [])),
        passed,
      );
      const lastFailed = latest(
        mine.flatMap((e) => (e?.lastFailed ? [e.lastFailed] : [])),
        failed,
      );
      axisValues.push({
        axis: axis.id,
        value: value.id,
        cells: mine.length,
        passedCells: mine.filter((e) => e?.lastPassed).length,
        ...(lastPassed ? { lastPassed } : {}),
        ...(lastFailed ? { lastFailed } : {}),
      });
    }
  }
  return { cells: cellEvidence, axisValues };
}
