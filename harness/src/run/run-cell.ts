import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { RunIdentity } from '../contracts/machine.ts';
import type { ResultRecord } from '../contracts/result-record.ts';
import type { Progress } from '../host/progress.ts';
import { markRunKept } from '../host/run-index.ts';
import { runOperatorStep } from '../operator-cell/run-operator-step.ts';
import type { Provider } from '../providers/provider.ts';
import { runPlaybookStep } from '../scenario/run-playbook-step.ts';
import { runScenario } from '../scenario/run-steps.ts';
import { machineSpecsOf } from './cell-machines.ts';
import { finishRecord, recordSetupFailure, startRecord, timed } from './cell-record.ts';
import { dumpCluster } from './cluster-dump.ts';
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

// Runs one cell end to end and returns its result record. Owns the lifecycle: up, then the
// scenario's steps, and from the moment a machine may exist, `finally` the dump (on failure) and
// teardown (on failure, timeout and abort too) unless `keep` is set.
export async function runCell(opts: RunCellOptions): Promise<ResultRecord> {
  const { runnable: cell, provider, progress, signal } = opts;
  const startedAt = new Date();
  const dir = runDir(cell.name);
  const logDir = path.join(opts.artifactsOut, 'logs');
  await mkdir(logDir, { recursive: true });
  const state = opts.resume?.state ?? newRunState(cell, provider.name, startedAt, opts.ci);
  const record = startRecord(cell, provider.name, startedAt, opts.ci);
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
    if (!opts.resume) await provision(cell, provider, state, record, opts);
    const host = state.artifactHost ?? '127.0.0.1';
    const registry = `${host}:${artifacts.registryPort}`;
    const scenario = await runScenario({
      nodes: cell.layout.nodes,
      steps: cell.steps,
      cellVars: cell.vars,
      stepTimeoutMinutes: cell.stepTimeoutMinutes,
      ...(opts.resume ? { fromStep: opts.resume.fromStep } : {}),
      state,
      saveState: () => saveRunState(state),
      executors: { playbook: runPlaybookStep, operator: runOperatorStep },
      artifactUrl: `http://${host}:${artifacts.filePort}`,
      registry,
      kubectl,
      probeImage: `${registry}/${prereq.probeImage}`,
      runDir: dir,
      logDir,
      signal,
      progress,
    });
    record.steps.push(...scenario.steps);
    record.outcome = scenario.outcome;
  } catch (error) {
    const failure = recordSetupFailure(record, error, signal.aborted);
    setupError = failure.setupError;
    if (!setupError)
      progress.info(`${signal.aborted ? 'interrupted' : 'infrastructure failure'}: ${failure.message}`);
  } finally {
    await saveRunState(state).catch(() => {});
    if (state.kubeconfigFile) {
      Object.assign(record.versions, await observeNodeVersions(state.kubeconfigFile).catch(() => ({})));
    }
    if (record.outcome !== 'passed' && state.machines.length > 0)
      await collectDump(provider, state, record, kubectl, opts);
    await artifacts?.close();
    await (opts.keep ? keepMachines(state, progress) : tearDown(provider, state, progress));
    finishRecord(record, startedAt);
  }
  if (setupError) throw setupError;
  return record;
}

function newRunState(
  cell: RunnableCell,
  provider: string,
  startedAt: Date,
  ci: ResultRecord['ci'] | undefined,
): RunState {
  const id: RunIdentity = {
    runId: `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`,
    cell: cell.name,
    ...(ci?.pipelineId ? { pipeline: ci.pipelineId } : {}),
    ...(ci?.jobId ? { job: ci.jobId } : {}),
  };
  return {
    id,
    provider,
    cell: cell.name,
    providerStateDir: path.join(runDir(cell.name), 'provider'),
    createdAt: startedAt.toISOString(),
    machines: [],
    pending: cell.layout.nodes.filter((n) => n.heldBack).map((n) => n.name),
    completedSteps: [],
  };
}

async function provision(
  cell: RunnableCell,
  provider: Provider,
  state: RunState,
  record: ResultRecord,
  opts: Pick<RunCellOptions, 'signal' | 'progress'>,
): Promise<void> {
  const machines = machineSpecsOf(cell);
  const label = `provision ${machines.length} machine(s) with ${provider.name}`;
  const started = Date.parse(record.startedAt);
  opts.progress.begin(label);
  const up = await provider.up({
    id: state.id,
    machines,
    stateDir: state.providerStateDir,
    signal: opts.signal,
    log: (l) => opts.progress.detail(l),
  });
  record.phases.push(...up.phases);
  state.machines = up.machines;
  state.artifactHost = up.artifactHost ?? '127.0.0.1';
  await saveRunState(state);
  opts.progress.end(label, 'passed', Date.now() - started);
}

// What explains a failure: the cluster dump and the provider's machine logs, into the artifacts.
async function collectDump(
  provider: Provider,
  state: RunState,
  record: ResultRecord,
  kubectl: string | undefined,
  opts: Pick<RunCellOptions, 'artifactsOut' | 'progress'>,
): Promise<void> {
  const label = 'collect the cluster dump and machine logs';
  opts.progress.begin(label);
  const started = Date.now();
  const dumpDir = path.join(opts.artifactsOut, 'dump');
  const files = [
    ...(await dumpCluster(dumpDir, state.machines, kubectl, state.kubeconfigFile)),
    ...(await provider.dumpLogs(state.id, state.providerStateDir, dumpDir).catch(() => [])),
  ];
  record.artifacts.push(...files.map((f) => path.relative(opts.artifactsOut, f)));
  opts.progress.end(label, 'passed', Date.now() - started);
}

async function tearDown(provider: Provider, state: RunState, progress: Progress): Promise<void> {
  progress.begin(`tear down (${provider.name})`);
  const started = Date.now();
  await provider.down(state.id, state.providerStateDir);
  await removeRunState(state.cell);
  progress.end(`tear down (${provider.name})`, 'passed', Date.now() - started);
}

async function keepMachines(state: RunState, progress: Progress): Promise<void> {
  await markRunKept(state.id.runId);
  state.kept = true;
  await saveRunState(state);
  progress.info(
    `kept the machines: \`kvmatrix ssh ${state.cell}\`, \`kvmatrix run ${state.cell} --from-step <step>\`, \`kvmatrix down ${state.cell}\``,
  );
}
