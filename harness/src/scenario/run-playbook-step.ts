import type { StepResult } from '../contracts/result-record.ts';
import { ANSIBLE_UNREACHABLE, type PlaybookOutcome, runPlaybook } from './run-playbook.ts';
import type { StepRun, StepVerdict } from './step-executor.ts';
import { STEP_KINDS } from './step-kinds.ts';

// The playbook executor: runs one scenario step's playbook and classifies it. A step whose kind
// fails on change (idempotence) fails when anything changed, and says which tasks on which hosts,
// with their diffs.
export async function runPlaybookStep(
  ctx: Pick<
    StepRun,
    'step' | 'stepIndex' | 'inventoryFile' | 'limit' | 'vars' | 'logDir' | 'timeoutMs' | 'signal' | 'progress'
  >,
): Promise<{ result: StepResult; verdict: StepVerdict; outcome: PlaybookOutcome }> {
  const started = Date.now();
  const base = `${String(ctx.stepIndex + 1).padStart(2, '0')}-${ctx.step.id}`;
  const label = `step ${ctx.step.id}: ${ctx.step.playbook}${ctx.limit ? ` --limit ${ctx.limit}` : ''}`;
  ctx.progress.begin(label);
  const outcome = await runPlaybook({
    playbook: ctx.step.playbook,
    inventoryFile: ctx.inventoryFile,
    ...(ctx.limit ? { limit: ctx.limit } : {}),
    extraVars: ctx.vars,
    logFile: `${ctx.logDir}/${base}.log`,
    eventsFile: `${ctx.logDir}/${base}.events.jsonl`,
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
    onTask: (task) => ctx.progress.detail(task),
  });
  const durationMs = Date.now() - started;
  let verdict: StepVerdict = 'passed';
  let message: string | undefined;
  const firstFailure = outcome.events.failures[0];
  if (outcome.interrupted) {
    verdict = 'interrupted';
    message = 'interrupted by a signal';
  } else if (outcome.timedOut) {
    verdict = 'product-failure';
    message = `timed out after ${Math.round(ctx.timeoutMs / 60_000)} min`;
  } else if (
    outcome.exitCode === ANSIBLE_UNREACHABLE ||
    (firstFailure?.unreachable && outcome.exitCode !== 0)
  ) {
    verdict = 'infrastructure-failure';
    message = `host unreachable: ${firstFailure?.host ?? '?'}: ${firstFailure?.message ?? ''}`;
  } else if (outcome.exitCode !== 0) {
    verdict = 'product-failure';
    message = firstFailure
      ? `${firstFailure.host}: ${firstFailure.task}: ${firstFailure.message}`
      : `ansible-playbook exited with ${outcome.exitCode}`;
  } else if (STEP_KINDS[ctx.step.kind].failsOnChange && outcome.events.changed.length > 0) {
    verdict = 'product-failure';
    const list = outcome.events.changed.map((c) => `${c.host}: ${c.task}`);
    message = `not idempotent: ${list.length} task(s) changed: ${list.slice(0, 5).join('; ')}`;
  }
  const result: StepResult = {
    id: ctx.step.id,
    kind: ctx.step.kind,
    playbook: ctx.step.playbook,
    outcome: verdict === 'passed' ? 'passed' : verdict === 'infrastructure-failure' ? 'error' : 'failed',
    startedAt: new Date(started).toISOString(),
    durationMs,
    checks: [],
    tasks: outcome.events.tasks,
    changed: outcome.events.changed,
    log: `${base}.log`,
    ...(message ? { message } : {}),
  };
  ctx.progress.end(label, result.outcome, durationMs, message);
  return { result, verdict, outcome };
}
