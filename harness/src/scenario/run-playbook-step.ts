import { KubeConfig } from '@kubernetes/client-node';
import { type CheckContext, CheckFailure } from '../checks/check.ts';
import { checks, orderChecks } from '../checks/index.ts';
import type { CheckResult, StepResult } from '../contracts/result-record.ts';
import type { Progress } from '../host/progress.ts';
import type { CheckId, Step } from '../matrix/model.ts';
import { ANSIBLE_UNREACHABLE, type PlaybookOutcome, runPlaybook } from './run-playbook.ts';

export interface StepContext {
  step: Step;
  stepIndex: number;
  inventoryFile: string;
  limit: string | undefined;
  vars: Record<string, unknown>;
  logDir: string;
  timeoutMs: number;
  signal: AbortSignal;
  progress: Progress;
}

export type StepVerdict = 'passed' | 'product-failure' | 'infrastructure-failure' | 'interrupted';

// Runs one scenario step's playbook and classifies it. An idempotence step fails when anything
// changed, and says which tasks on which hosts, with their diffs.
export async function runStepPlaybook(
  ctx: StepContext,
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
  } else if (ctx.step.kind === 'idempotence' && outcome.events.changed.length > 0) {
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

// What runChecks needs: the checks' context without the client it builds itself.
export interface ChecksInput extends Omit<CheckContext, 'kubeConfig'> {
  ids: CheckId[];
  progress: Progress;
}

// Runs a step's checks cheapest first. After the first failure the rest are skipped: a later
// check cannot say anything useful about a cluster whose basics are broken.
export async function runChecks(input: ChecksInput): Promise<CheckResult[]> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(input.kubeconfigFile);
  const ctx: CheckContext = { ...input, kubeConfig };
  const results: CheckResult[] = [];
  let failed = false;
  for (const id of orderChecks(input.ids)) {
    const check = checks[id];
    const name = check?.title ?? id;
    if (failed || !check) {
      results.push({
        id,
        name,
        outcome: 'skipped',
        durationMs: 0,
        message: failed
          ? 'skipped after an earlier check failed'
          : `check ${id} is not available in this harness build`,
      });
      continue;
    }
    const started = Date.now();
    input.progress.begin(`check ${id}`);
    try {
      const output = await check.run(ctx);
      const passed = typeof output === 'string' ? { evidence: output } : output;
      results.push({ id, name, outcome: 'passed', durationMs: Date.now() - started, ...passed });
      input.progress.end(`check ${id}`, 'passed', Date.now() - started);
    } catch (error) {
      failed = true;
      const message = error instanceof Error ? error.message : String(error);
      const evidence = error instanceof CheckFailure ? error.evidence : undefined;
      const suite = error instanceof CheckFailure ? error.suite : undefined;
      results.push({
        id,
        name,
        outcome: 'failed',
        durationMs: Date.now() - started,
        message,
        ...(evidence ? { evidence } : {}),
        ...suite,
      });
      input.progress.end(`check ${id}`, 'failed', Date.now() - started, message);
    }
  }
  return results;
}
