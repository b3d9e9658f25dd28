import { FLAKE_HISTORY_VERSION, type FlakeHistory, type RunEntry } from '../contracts/flake-history.ts';
import type { CellOutcome, ResultRecord } from '../contracts/result-record.ts';
import { pickEvidenceVersions } from './cell-evidence.ts';
import type { FlakeEvent, QuarantineSuggestion } from './model.ts';

// The flake history (its shape: contracts/flake-history.ts), transformed here purely.
export interface HistoryLimits {
  // Commits kept per cell (the oldest are dropped).
  commitsPerCell: number;
}

export interface QuarantinePolicy {
  // A cell is suggested for quarantine after this many flakes ...
  threshold: number;
  // ... within its last `window` runs.
  window: number;
}

export const DEFAULT_HISTORY_LIMITS: HistoryLimits = { commitsPerCell: 50 };
export const DEFAULT_QUARANTINE_POLICY: QuarantinePolicy = { threshold: 3, window: 20 };

export function createFlakeHistory(): FlakeHistory {
  return { schemaVersion: FLAKE_HISTORY_VERSION, cells: {} };
}

function sameRun(a: RunEntry, b: RunEntry): boolean {
  if (a.jobId && b.jobId) return a.jobId === b.jobId && (a.attempt ?? 1) === (b.attempt ?? 1);
  return a.finishedAt === b.finishedAt && a.outcome === b.outcome;
}

function byTime(a: RunEntry, b: RunEntry): number {
  return a.finishedAt.localeCompare(b.finishedAt);
}

// Adds the records of a pipeline to the history. Idempotent: a record already present (same job
// and attempt) is not added twice, so rerunning the report job does not invent flakes. Records
// without a commit cannot be keyed and are left out.
export function addRunsToHistory(
  history: FlakeHistory,
  records: ResultRecord[],
  reasons: Map<ResultRecord, string> = new Map(),
  limits: HistoryLimits = DEFAULT_HISTORY_LIMITS,
): FlakeHistory {
  const cells: FlakeHistory['cells'] = structuredClone(history.cells);
  for (const record of records) {
    const commit = record.ci?.commit;
    if (!commit) continue;
    const versions = pickEvidenceVersions(record.versions);
    const entry: RunEntry = {
      outcome: record.outcome,
      finishedAt: record.finishedAt,
      ...(record.ci?.pipelineId ? { pipelineId: record.ci.pipelineId } : {}),
      ...(record.ci?.jobId ? { jobId: record.ci.jobId } : {}),
      ...(record.ci?.jobUrl ? { jobUrl: record.ci.jobUrl } : {}),
      ...(record.attempt ? { attempt: record.attempt } : {}),
      ...(reasons.get(record) ? { reason: reasons.get(record) } : {}),
      ...(record.provider ? { provider: record.provider } : {}),
      durationMs: record.durationMs,
      ...(Object.keys(versions).length ? { versions } : {}),
    };
    const byCommit = cells[record.cell] ?? {};
    cells[record.cell] = byCommit;
    const runs = byCommit[commit] ?? [];
    byCommit[commit] = runs;
    if (!runs.some((run) => sameRun(run, entry))) runs.push(entry);
    runs.sort(byTime);
  }
  for (const [cell, byCommit] of Object.entries(cells)) {
    const commits = Object.entries(byCommit)
      .map(([sha, runs]) => ({ sha, last: runs.at(-1)?.finishedAt ?? '' }))
      .sort((a, b) => b.last.localeCompare(a.last));
    for (const { sha } of commits.slice(limits.commitsPerCell)) delete byCommit[sha];
    if (Object.keys(byCommit).length === 0) delete cells[cell];
  }
  return { schemaVersion: FLAKE_HISTORY_VERSION, cells };
}

// A flake: on one commit, a product failure followed later by a pass. Infrastructure failures
// are not flakes of the deployment code (they are infra-retried).
export function findFlakeEvents(byCommit: Record<string, RunEntry[]>, window = Number.POSITIVE_INFINITY) {
  const all = Object.entries(byCommit).flatMap(([commit, runs]) => runs.map((run) => ({ commit, run })));
  all.sort((a, b) => byTime(a.run, b.run));
  const recent = all.slice(Math.max(0, all.length - window));
  const events: FlakeEvent[] = [];
  const commits = new Set(recent.map((r) => r.commit));
  for (const commit of commits) {
    const runs = recent.filter((r) => r.commit === commit).map((r) => r.run);
    const failedIndex = runs.findIndex((run) => run.outcome === 'failed');
    if (failedIndex < 0) continue;
    const failed = runs[failedIndex];
    const passed = runs.slice(failedIndex + 1).find((run) => run.outcome === 'passed');
    if (!failed || !passed) continue;
    events.push({
      commit,
      ...(failed.jobId ? { failedJob: failed.jobId } : {}),
      ...(passed.jobId ? { passedJob: passed.jobId } : {}),
      ...(failed.jobUrl ? { failedJobUrl: failed.jobUrl } : {}),
      ...(passed.jobUrl ? { passedJobUrl: passed.jobUrl } : {}),
      ...(failed.reason ? { reason: failed.reason } : {}),
    });
  }
  return events;
}

// Cells that flaked at least `threshold` times in their last `window` runs and are not
// quarantined yet, with the commits and jobs that show it.
export function suggestQuarantines(
  history: FlakeHistory,
  quarantined: ReadonlySet<string> = new Set(),
  policy: QuarantinePolicy = DEFAULT_QUARANTINE_POLICY,
): QuarantineSuggestion[] {
  const suggestions: QuarantineSuggestion[] = [];
  for (const [cell, byCommit] of Object.entries(history.cells)) {
    if (quarantined.has(cell)) continue;
    const events = findFlakeEvents(byCommit, policy.window);
    if (events.length >= policy.threshold) {
      suggestions.push({ cell, flakes: events.length, window: policy.window, evidence: events });
    }
  }
  return suggestions.sort((a, b) => b.flakes - a.flakes || a.cell.localeCompare(b.cell));
}
