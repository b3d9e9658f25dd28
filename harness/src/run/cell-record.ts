import { EXIT_INFRASTRUCTURE, isKvError } from '../contracts/errors.ts';
import { type CellOutcome, RESULT_SCHEMA_VERSION, type ResultRecord } from '../contracts/result-record.ts';
import type { RunnableCell } from './runnable-cell.ts';

// The record of one cell as the runner fills it in: begun before anything starts, given the
// scenario's steps or the reason nothing ran, finished after teardown. The runner writes it;
// the CLI hands it to the reports.
export function startRecord(
  cell: RunnableCell,
  provider: string,
  startedAt: Date,
  ci: ResultRecord['ci'] | undefined,
): ResultRecord {
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    cell: cell.name,
    axes: cell.axes,
    scenario: cell.scenario,
    provider,
    outcome: 'passed',
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    durationMs: 0,
    phases: [],
    steps: [],
    versions: pickVersions(cell.vars),
    artifacts: [],
    ...(cell.quarantine ? { quarantine: { issue: cell.quarantine.issue } } : {}),
    ...(ci ? { ci } : {}),
  };
}

export function exitCodeFor(outcome: CellOutcome): number {
  return { passed: 0, failed: 1, 'infra-failed': 3, interrupted: 130 }[outcome];
}

// Records why the cell could not run its steps (no machine, no mirror, interrupted) as a
// `provision` step in error. Returns the error when it is a mistake of set-up or usage (no
// artifact set, no kubectl): not the machines' fault, so the caller rethrows it after teardown,
// as the CLI's usage status, instead of asking CI to retry.
export function recordSetupFailure(
  record: ResultRecord,
  error: unknown,
  aborted: boolean,
): { message: string; setupError?: unknown } {
  const setupError = isKvError(error) && error.exitCode !== EXIT_INFRASTRUCTURE && !aborted;
  record.outcome = aborted ? 'interrupted' : 'infra-failed';
  const message = isKvError(error)
    ? `${error.message}${error.hint ? ` (hint: ${error.hint})` : ''}`
    : String(error);
  record.steps.push({
    id: 'provision',
    kind: 'provision',
    playbook: '',
    outcome: 'error',
    startedAt: new Date().toISOString(),
    durationMs: 0,
    message,
    checks: [],
  });
  record.error = {
    code: isKvError(error) ? error.code : aborted ? 'INTERRUPTED' : 'INFRASTRUCTURE',
    message,
  };
  return setupError ? { message, setupError: error } : { message };
}

// Runs `work` as a named phase of the record's timeline.
export async function timed<T>(record: ResultRecord, phase: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    record.phases.push({
      phase,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
    });
  }
}

export function finishRecord(record: ResultRecord, startedAt: Date): void {
  const finished = new Date();
  record.finishedAt = finished.toISOString();
  record.durationMs = finished.getTime() - startedAt.getTime();
}

function pickVersions(vars: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars))
    if (/version/.test(k) && (typeof v === 'string' || typeof v === 'number')) out[k] = String(v);
  return out;
}
