import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fetchKubeconfig } from '../checks/fetch-kubeconfig.ts';
import { runChecks } from '../checks/run-checks.ts';
import { isKvError } from '../contracts/errors.ts';
import { isManaged } from '../contracts/machine.ts';
import type { StepResult } from '../contracts/result-record.ts';
import type { Step, StepKind } from '../matrix/model.ts';
import type { StepVerdict } from '../scenario/step-executor.ts';
import { deleteWorkload } from './delete-workload.ts';
import { deployWorkload, readWorkloadKubeconfig } from './deploy-workload.ts';
import { installOperator } from './install-operator.ts';
import { MgmtKubectl } from './mgmt-kubectl.ts';
import { OPERATOR_NAMESPACE, WORKLOAD_NAMESPACE } from './operator-manifests.ts';
import type { OperatorStepContext } from './operator-step-context.ts';

export type { OperatorStepContext } from './operator-step-context.ts';

const OPERATOR_KINDS: ReadonlySet<StepKind> = new Set([
  'operator-install',
  'operator-cluster',
  'operator-scale',
  'operator-delete',
]);

// Steps the harness does not run with ansible-playbook itself: it drives the operator instead.
export function isOperatorStep(step: Step): boolean {
  return OPERATOR_KINDS.has(step.kind);
}

// Runs one operator step against the management cluster (the cell's non-managed control plane),
// then the step's checks against the workload cluster the operator built, with the kubeconfig
// the operator's Job published. Never throws for a product failure: the verdict says it.
export async function runOperatorStep(
  ctx: OperatorStepContext,
): Promise<{ result: StepResult; verdict: StepVerdict }> {
  const started = Date.now();
  const label = `step ${ctx.step.id}: ${ctx.step.kind}`;
  const base = `${String(ctx.stepIndex + 1).padStart(2, '0')}-${ctx.step.id}`;
  ctx.progress.begin(label);
  let verdict: StepVerdict = 'passed';
  let message: string | undefined;
  const result: StepResult = {
    id: ctx.step.id,
    kind: ctx.step.kind,
    playbook: ctx.step.playbook,
    outcome: 'passed',
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    checks: [],
    log: `${base}.log`,
  };
  const log: string[] = [];
  const note = (line: string) => {
    log.push(`[${new Date().toISOString()}] ${line}`);
    ctx.progress.detail(line);
  };
  let k: MgmtKubectl | undefined;
  try {
    k = await connectManagement(ctx);
    const outcome =
      ctx.step.kind === 'operator-install'
        ? await installOperator(ctx, k, note)
        : ctx.step.kind === 'operator-delete'
          ? await deleteWorkload(ctx, k, note)
          : await deployWorkload(ctx, k, note);
    if (!outcome.ok) {
      verdict = ctx.signal.aborted ? 'interrupted' : 'product-failure';
      message = outcome.message;
    } else if (ctx.step.checks.length > 0) {
      const kubeconfigFile = await readWorkloadKubeconfig(ctx, k);
      result.checks = await runChecks({
        ids: ctx.step.checks,
        kubeconfigFile,
        kubectl: ctx.kubectl,
        machines: ctx.machines,
        members: ctx.nodes.filter((n) => isManaged(n) && !ctx.pending.has(n.name)),
        expectedVersion: String(ctx.vars.kube_version ?? ''),
        probeImage: ctx.probeImage,
        vars: ctx.vars,
        signal: ctx.signal,
        progress: ctx.progress,
      });
      const failed = result.checks.find((c) => c.outcome === 'failed');
      if (failed) {
        verdict = ctx.signal.aborted ? 'interrupted' : 'product-failure';
        message = `check failed: ${failed.message ?? failed.id}`;
      }
    }
  } catch (error) {
    verdict = ctx.signal.aborted ? 'interrupted' : 'infrastructure-failure';
    message = isKvError(error)
      ? `${error.message}${error.hint ? ` (hint: ${error.hint})` : ''}`
      : String(error);
  } finally {
    if (k) await saveOperatorLogs(k, ctx.logDir, base, note).catch(() => {});
    await writeFile(path.join(ctx.logDir, `${base}.log`), `${log.join('\n')}\n`);
  }
  result.durationMs = Date.now() - started;
  result.outcome =
    verdict === 'passed' ? 'passed' : verdict === 'infrastructure-failure' ? 'error' : 'failed';
  if (message) result.message = message;
  ctx.progress.end(label, result.outcome, result.durationMs, message);
  return { result, verdict };
}

async function connectManagement(ctx: OperatorStepContext): Promise<MgmtKubectl> {
  const mgmt = ctx.nodes.find((n) => !isManaged(n) && n.roles.includes('control-plane'));
  const machine = ctx.machines.find((m) => m.name === mgmt?.name);
  const file = path.join(ctx.runDir, 'management.conf');
  if (!machine || !(await fetchKubeconfig(machine, file))) {
    throw new Error('no admin kubeconfig on the management cluster (did its deploy step run?)');
  }
  return new MgmtKubectl(ctx.kubectl, file, ctx.signal);
}

// The operator's log and every playbook Job's log, beside the step's own log.
async function saveOperatorLogs(
  k: MgmtKubectl,
  logDir: string,
  base: string,
  note: (line: string) => void,
): Promise<void> {
  const operatorLog = await k
    .run(['logs', '-n', OPERATOR_NAMESPACE, 'deployment/kvmatrix-operator', '--tail=2000'])
    .catch((e) => `(no operator log: ${String(e)})\n`);
  await writeFile(path.join(logDir, `${base}.operator.log`), operatorLog);
  const jobs = await k
    .run(['get', 'jobs', '-n', WORKLOAD_NAMESPACE, '-o', 'name'])
    .then((out) => out.split('\n').filter(Boolean))
    .catch(() => [] as string[]);
  // A Job's log is saved once, by the step during which it ran (its name is unique per run).
  const saved = (await readdir(logDir)).join('\n');
  const fresh = jobs.map((j) => j.replace(/^.*\//, '')).filter((j) => !saved.includes(`.${j}.log`));
  for (const job of fresh) {
    const text = await k
      .run(['logs', '-n', WORKLOAD_NAMESPACE, `job/${job}`, '--tail=-1'])
      .catch((e) => String(e));
    await writeFile(path.join(logDir, `${base}.${job}.log`), text);
  }
  if (fresh.length) note(`saved the logs of playbook Job(s) ${fresh.join(', ')}`);
}
