import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { EXIT_INFRASTRUCTURE, isKvError } from '../contracts/errors.ts';
import {
  type CellOutcome,
  RESULT_SCHEMA_VERSION,
  type ResultRecord,
  type StepResult,
} from '../contracts/result-record.ts';
import type { Progress } from '../host/progress.ts';
import { markRunKept } from '../host/run-index.ts';
import type { LayoutNode } from '../matrix/model.ts';
import { isManaged } from '../operator-cell/operator-manifests.ts';
import { isOperatorStep, runOperatorStep } from '../operator-cell/run-operator-step.ts';
import type { Provider, RunIdentity } from '../providers/provider.ts';
import { buildInventory, limitFor } from '../scenario/inventory.ts';
import { runChecks, runStepPlaybook } from '../scenario/run-playbook-step.ts';
import { resolveStepVars } from '../scenario/step-vars.ts';
import { dumpCluster, fetchKubeconfig } from './cluster-dump.ts';
import { observeNodeVersions } from './observe-versions.ts';
import { type RunState, removeRunState, runDir, saveRunState } from './run-state.ts';
import type { RunnableCell } from './runnable-cell.ts';

// The offline mirror as the runner needs it: ports on the host, reached by machines through the
// address the provider reports (its network's gateway).
export interface ArtifactEndpoints {
  filePort: number;
  registryPort: number;
  close(): Promise<void>;
}

export interface RunCellOptions {
  runnable: RunnableCell;
  provider: Provider;
  startArtifacts: (previous?: { filePort: number; registryPort: number }) => Promise<ArtifactEndpoints>;
  // kubectl for the checks, and the probe image's repository:tag in the mirror.
  preparePrerequisites: () => Promise<{
    kubectl: string;
    probeImage: string;
    versions?: Record<string, string>;
  }>;
  artifactsOut: string;
  keep: boolean;
  // Re-run from this step against machines kept by an earlier `--keep` run.
  resume?: { state: RunState; fromStep: string };
  signal: AbortSignal;
  progress: Progress;
  ci?: ResultRecord['ci'];
}

export function exitCodeFor(outcome: CellOutcome): number {
  return { passed: 0, failed: 1, 'infra-failed': 3, interrupted: 130 }[outcome];
}

// Runs one cell end to end and returns its result record. Owns the lifecycle: from the moment a
// machine may exist, teardown is certain (on failure, timeout and abort) unless `keep` is set.
export async function runCell(opts: RunCellOptions): Promise<ResultRecord> {
  const { runnable, provider, progress, signal } = opts;
  const cell = runnable;
  const { layout, steps } = runnable;
  const startedAt = new Date();
  const dir = runDir(cell.name);
  const logDir = path.join(opts.artifactsOut, 'logs');
  await mkdir(logDir, { recursive: true });
  const id: RunIdentity = opts.resume?.state.id ?? {
    runId: `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`,
    cell: cell.name,
    ...(opts.ci?.pipelineId ? { pipeline: opts.ci.pipelineId } : {}),
    ...(opts.ci?.jobId ? { job: opts.ci.jobId } : {}),
  };
  const state: RunState = opts.resume?.state ?? {
    id,
    provider: provider.name,
    cell: cell.name,
    providerStateDir: path.join(dir, 'provider'),
    createdAt: startedAt.toISOString(),
    machines: [],
    pending: layout.nodes.filter((n) => n.heldBack).map((n) => n.name),
    completedSteps: [],
  };
  const record: ResultRecord = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    cell: cell.name,
    axes: cell.axes,
    scenario: cell.scenario,
    provider: provider.name,
    outcome: 'passed',
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    durationMs: 0,
    phases: [],
    steps: [],
    versions: pickVersions(runnable.vars),
    artifacts: [],
    ...(cell.quarantine ? { quarantine: { issue: cell.quarantine.issue } } : {}),
    ...(opts.ci ? { ci: opts.ci } : {}),
  };
  let artifacts: ArtifactEndpoints | undefined;
  let kubectl: string | undefined;
  let setupError: unknown;
  state.pid = process.pid;
  state.kept = false;
  try {
    await saveRunState(state);
    artifacts = await timed(record, 'artifact-server', () => opts.startArtifacts(state.artifactPorts));
    state.artifactPorts = { filePort: artifacts.filePort, registryPort: artifacts.registryPort };
    const prereq = await timed(record, 'prerequisites', () => opts.preparePrerequisites());
    kubectl = prereq.kubectl;
    Object.assign(record.versions, prereq.versions);
    if (!opts.resume) {
      const machines = layout.nodes.map((n) => ({
        name: n.name,
        roles: n.roles,
        os: cell.axes.os ?? 'debian12',
        ...runnable.machine,
      }));
      progress.begin(`provision ${machines.length} machine(s) with ${provider.name}`);
      const up = await provider.up({
        id,
        machines,
        stateDir: state.providerStateDir,
        signal,
        log: (l) => progress.detail(l),
      });
      record.phases.push(...up.phases);
      state.machines = up.machines;
      state.artifactHost = up.artifactHost ?? '127.0.0.1';
      await saveRunState(state);
      progress.end(
        `provision ${machines.length} machine(s) with ${provider.name}`,
        'passed',
        Date.now() - startedAt.getTime(),
      );
    }
    const host = state.artifactHost ?? '127.0.0.1';
    const registry = `${host}:${artifacts.registryPort}`;
    const probeImage = `${registry}/${prereq.probeImage}`;
    const runVars = {
      kvmatrix_artifact_url: `http://${host}:${artifacts.filePort}`,
      kvmatrix_registry: registry,
    };
    const pending = new Set(state.pending);
    // A parameter change is a change of the cell's configuration: later steps keep its variables.
    let carried: Record<string, unknown> = {};
    const startIndex = opts.resume ? steps.findIndex((s) => s.id === opts.resume?.fromStep) : 0;
    for (const [index, step] of steps.entries()) {
      if (index < startIndex) {
        if (step.kind === 'parameter-change') carried = { ...carried, ...step.vars };
        continue;
      }
      if (signal.aborted) break;
      if (step.kind === 'scale-up' || step.kind === 'operator-scale')
        for (const n of step.nodes ?? []) pending.delete(n);
      // A deploy after a reset deploys onto the same machines again: every machine not held back
      // for a scale step is a member once more (else `--limit` would leave no host).
      if (step.kind === 'deploy') for (const n of layout.nodes) if (!n.heldBack) pending.delete(n.name);
      state.pending = [...pending];
      const inventory = buildInventory(layout.nodes, state.machines, runnable.vars, pending);
      state.inventoryFile = path.join(dir, 'inventory.yml');
      await writeFile(state.inventoryFile, stringify(inventory), { mode: 0o600 });
      await saveRunState(state);
      const vars = resolveStepVars({ ...runnable.vars, ...carried }, step, runVars);
      const timeoutMs = (step.timeoutMinutes ?? cell.stepTimeoutMinutes) * 60_000;
      // Operator steps drive the operator in the management cluster and check the cluster it built.
      const { result, verdict } = isOperatorStep(step)
        ? await runOperatorStep({
            step,
            stepIndex: index,
            nodes: layout.nodes,
            machines: state.machines,
            pending,
            vars,
            artifactUrl: runVars.kvmatrix_artifact_url,
            registry,
            kubectl,
            probeImage,
            runDir: dir,
            logDir,
            timeoutMs,
            signal,
            progress,
          })
        : await runStepPlaybook({
            step,
            stepIndex: index,
            inventoryFile: state.inventoryFile,
            // A scale-down entry removes the hosts given with --limit: the step's nodes.
            limit: limitFor(
              step.limit ?? (step.kind === 'scale-down' ? step.nodes?.join(':') : undefined),
              pending,
            ),
            vars,
            logDir,
            timeoutMs,
            signal,
            progress,
          });
      record.steps.push(result);
      if (verdict !== 'passed') {
        record.outcome =
          verdict === 'interrupted'
            ? 'interrupted'
            : verdict === 'infrastructure-failure'
              ? 'infra-failed'
              : 'failed';
        state.failedStep = step.id;
        break;
      }
      if (step.kind === 'parameter-change') carried = { ...carried, ...step.vars };
      if (step.kind === 'scale-down') for (const n of step.nodes ?? []) pending.add(n);
      if (step.kind === 'reset') for (const n of layout.nodes) pending.add(n.name);
      if (step.kind === 'operator-delete')
        for (const n of layout.nodes.filter(isManaged)) pending.add(n.name);
      const members: LayoutNode[] = layout.nodes.filter((n) => !pending.has(n.name) && !isManaged(n));
      if (!isOperatorStep(step) && step.checks.length > 0 && members.length > 0) {
        const kubeconfigFile = path.join(dir, 'admin.conf');
        const cp = state.machines.find((m) =>
          members.some((n) => n.name === m.name && n.roles.includes('control-plane')),
        );
        if (!cp || !(await fetchKubeconfig(cp, kubeconfigFile))) {
          result.checks = step.checks.map((c) => ({
            id: c,
            name: c,
            outcome: 'failed',
            durationMs: 0,
            message: 'no admin kubeconfig on the control plane',
          }));
        } else {
          state.kubeconfigFile = kubeconfigFile;
          result.checks = await runChecks({
            ids: step.checks,
            kubeconfigFile,
            kubectl,
            machines: state.machines,
            members,
            expectedVersion: String(vars.kube_version ?? ''),
            probeImage,
            registry,
            vars,
            signal,
            progress,
          });
        }
        if (result.checks.some((c) => c.outcome === 'failed')) {
          result.outcome = 'failed';
          result.message ??= `check failed: ${result.checks.find((c) => c.outcome === 'failed')?.message ?? ''}`;
          record.outcome = signal.aborted ? 'interrupted' : 'failed';
          state.failedStep = step.id;
          break;
        }
      }
      state.completedSteps.push(step.id);
      state.pending = [...pending];
    }
    if (signal.aborted && record.outcome === 'passed') record.outcome = 'interrupted';
    markSkipped(record, steps.slice(record.steps.length + Math.max(0, startIndex)));
  } catch (error) {
    // A mistake of set-up or usage (no artifact set, no kubectl) is not the machines' fault:
    // it propagates after teardown, as the CLI's usage status, instead of asking CI to retry.
    if (isKvError(error) && error.exitCode !== EXIT_INFRASTRUCTURE && !signal.aborted) setupError = error;
    record.outcome = signal.aborted ? 'interrupted' : 'infra-failed';
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
      code: isKvError(error) ? error.code : signal.aborted ? 'INTERRUPTED' : 'INFRASTRUCTURE',
      message,
    };
    if (!setupError)
      progress.info(`${signal.aborted ? 'interrupted' : 'infrastructure failure'}: ${message}`);
  } finally {
    await saveRunState(state).catch(() => {});
    if (state.kubeconfigFile) {
      Object.assign(record.versions, await observeNodeVersions(state.kubeconfigFile).catch(() => ({})));
    }
    if (record.outcome !== 'passed' && state.machines.length > 0) {
      progress.begin('collect the cluster dump and machine logs');
      const dumpStarted = Date.now();
      const dumpDir = path.join(opts.artifactsOut, 'dump');
      record.artifacts.push(
        ...(await dumpCluster(dumpDir, state.machines, kubectl, state.kubeconfigFile)).map((f) =>
          path.relative(opts.artifactsOut, f),
        ),
      );
      record.artifacts.push(
        ...(await provider.dumpLogs(id, state.providerStateDir, dumpDir).catch(() => [])).map((f) =>
          path.relative(opts.artifactsOut, f),
        ),
      );
      progress.end('collect the cluster dump and machine logs', 'passed', Date.now() - dumpStarted);
    }
    if (!opts.keep) {
      progress.begin(`tear down (${provider.name})`);
      const t = Date.now();
      await provider.down(id, state.providerStateDir);
      await artifacts?.close();
      await removeRunState(cell.name);
      progress.end(`tear down (${provider.name})`, 'passed', Date.now() - t);
    } else {
      await artifacts?.close();
      await markRunKept(id.runId);
      state.kept = true;
      await saveRunState(state);
      progress.info(
        `kept the machines: \`kvmatrix ssh ${cell.name}\`, \`kvmatrix run ${cell.name} --from-step <step>\`, \`kvmatrix down ${cell.name}\``,
      );
    }
    const finished = new Date();
    record.finishedAt = finished.toISOString();
    record.durationMs = finished.getTime() - startedAt.getTime();
  }
  if (setupError) throw setupError;
  return record;
}

function markSkipped(record: ResultRecord, rest: RunnableCell['steps']): void {
  for (const step of rest) {
    const skipped: StepResult = {
      id: step.id,
      kind: step.kind,
      playbook: step.playbook,
      outcome: 'skipped',
      startedAt: new Date().toISOString(),
      durationMs: 0,
      message: 'skipped after an earlier failure',
      checks: step.checks.map((c) => ({ id: c, name: c, outcome: 'skipped' as const, durationMs: 0 })),
    };
    record.steps.push(skipped);
  }
}

async function timed<T>(record: ResultRecord, phase: string, work: () => Promise<T>): Promise<T> {
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

function pickVersions(vars: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars))
    if (/version/.test(k) && (typeof v === 'string' || typeof v === 'number')) out[k] = String(v);
  return out;
}
