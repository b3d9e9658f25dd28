import type { FlakeHistory } from '../contracts/flake-history.ts';
import type { PlanCell } from '../contracts/plan.ts';
import type { ResultRecord } from '../contracts/result-record.ts';
import { collectRuns } from './cell-evidence.ts';
import { findFirstFailure } from './first-failure.ts';
import { DEFAULT_QUARANTINE_POLICY, type QuarantinePolicy, suggestQuarantines } from './flake-history.ts';
import { CELL_STATUSES, type CellReport, type CellStatus, type PipelineReport } from './model.ts';

export interface BuildReportInput {
  records: ResultRecord[];
  // The cells the pipeline was meant to run. Without a plan, missing cells cannot be seen.
  plan?: PlanCell[];
  history?: FlakeHistory;
  policy?: QuarantinePolicy;
  generatedAt: string;
}

function attemptOrder(a: ResultRecord, b: ResultRecord): number {
  return (a.attempt ?? 1) - (b.attempt ?? 1) || a.startedAt.localeCompare(b.startedAt);
}

// The verdict for one cell from its attempts (oldest first).
export function decideStatus(
  attempts: ResultRecord[],
  quarantined: boolean,
  flakyInHistory: boolean,
): CellStatus {
  const last = attempts.at(-1);
  if (!last) return 'missing';
  const earlier = attempts.slice(0, -1);
  switch (last.outcome) {
    case 'passed':
      if (earlier.some((r) => r.outcome === 'failed') || flakyInHistory) return 'flaky';
      if (earlier.some((r) => r.outcome === 'infra-failed')) return 'infra-retried';
      return 'passed';
    case 'failed':
      return quarantined ? 'quarantined' : 'failed';
    case 'infra-failed':
      return quarantined ? 'quarantined' : 'infra-failed';
    case 'interrupted':
      return 'interrupted';
  }
}

function artifactsUrl(jobUrl: string | undefined): string | undefined {
  return jobUrl ? `${jobUrl.replace(/\/+$/, '')}/artifacts/browse` : undefined;
}

function buildCell(
  plan: PlanCell,
  attempts: ResultRecord[],
  history: FlakeHistory | undefined,
  unplanned: boolean,
) {
  const last = attempts.at(-1);
  const quarantine = plan.quarantine ?? last?.quarantine;
  const commit = last?.ci?.commit;
  // A pass now after a product failure of an earlier pipeline on the same commit is a flake too.
  const historyRuns = commit ? history?.cells[plan.name]?.[commit] : undefined;
  const flakyInHistory =
    last?.outcome === 'passed' &&
    (historyRuns ?? []).some((run) => run.outcome === 'failed' && run.finishedAt < last.startedAt);
  const status = decideStatus(attempts, quarantine !== undefined, flakyInHistory);
  const failing = [...attempts].reverse().find((r) => r.outcome !== 'passed');
  const firstFailure =
    last && last.outcome !== 'passed' ? findFirstFailure(last) : failing && findFirstFailure(failing);
  const jobUrl = last?.ci?.jobUrl;
  const links = {
    ...(jobUrl ? { job: jobUrl } : {}),
    ...(artifactsUrl(jobUrl) ? { artifacts: artifactsUrl(jobUrl) } : {}),
  };
  const cell: CellReport = {
    name: plan.name,
    axes: plan.axes,
    scenario: plan.scenario,
    status,
    attempts,
    links,
    rerun: `npx kvmatrix run ${plan.name}`,
    ...(last ? { record: last, durationMs: attempts.reduce((sum, r) => sum + r.durationMs, 0) } : {}),
    ...(firstFailure ? { firstFailure } : {}),
    ...(quarantine ? { quarantine } : {}),
    ...(unplanned ? { unplanned } : {}),
  };
  if (status === 'flaky') {
    const evidence = attempts
      .filter((r) => r.outcome === 'failed')
      .map((r) => r.ci?.jobUrl ?? `attempt ${r.attempt ?? 1}`);
    if (flakyInHistory && historyRuns && commit) {
      for (const run of historyRuns.filter((r) => r.outcome === 'failed')) {
        evidence.push(run.jobUrl ?? `job ${run.jobId ?? '?'} on ${commit.slice(0, 8)}`);
      }
    }
    cell.flakeEvidence = evidence;
  }
  return cell;
}

// Merges the result records of every cell of a pipeline into one report. Cells of the plan
// without a record are `missing`, never passed; records of cells outside the plan are kept and
// marked `unplanned`. Pure: the clock comes in as `generatedAt`.
export function buildPipelineReport(input: BuildReportInput): PipelineReport {
  const byCell = new Map<string, ResultRecord[]>();
  for (const record of input.records) {
    const list = byCell.get(record.cell) ?? [];
    list.push(record);
    byCell.set(record.cell, list);
  }
  for (const list of byCell.values()) list.sort(attemptOrder);

  const planned = input.plan ?? [];
  const plannedNames = new Set(planned.map((c) => c.name));
  const cells: CellReport[] = planned.map((p) =>
    buildCell(p, byCell.get(p.name) ?? [], input.history, false),
  );
  for (const [name, attempts] of byCell) {
    if (plannedNames.has(name)) continue;
    const last = attempts.at(-1) as ResultRecord;
    const plan: PlanCell = { name, axes: last.axes, scenario: last.scenario };
    cells.push(buildCell(plan, attempts, input.history, input.plan !== undefined));
  }

  // Where each cell last passed, from this pipeline's records and the history.
  const runs = collectRuns(input.records, input.history);
  for (const cell of cells) {
    const passes = (runs.get(cell.name) ?? []).filter((run) => run.outcome === 'passed');
    const lastPassed = passes.sort((a, b) => b.finishedAt.localeCompare(a.finishedAt))[0];
    if (lastPassed) cell.lastPassed = lastPassed;
  }

  const axisOrder: string[] = [];
  for (const cell of cells)
    for (const axis of Object.keys(cell.axes)) if (!axisOrder.includes(axis)) axisOrder.push(axis);

  const counts = Object.fromEntries(CELL_STATUSES.map((s) => [s, 0])) as Record<CellStatus, number>;
  for (const cell of cells) counts[cell.status] += 1;

  const quarantined = new Set(cells.filter((c) => c.quarantine).map((c) => c.name));
  const suggestions = input.history
    ? suggestQuarantines(input.history, quarantined, input.policy ?? DEFAULT_QUARANTINE_POLICY)
    : [];

  const ci = input.records.find((r) => r.ci)?.ci;
  return {
    generatedAt: input.generatedAt,
    ...(ci?.commit ? { commit: ci.commit } : {}),
    ...(ci?.ref ? { ref: ci.ref } : {}),
    ...(ci?.pipelineId ? { pipelineId: ci.pipelineId } : {}),
    axisOrder,
    cells,
    counts,
    totalDurationMs: cells.reduce((sum, c) => sum + (c.durationMs ?? 0), 0),
    suggestions,
  };
}
