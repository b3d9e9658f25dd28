import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { remoteMirrorFromEnv } from '../artifacts/remote-mirror.ts';
import { KvError } from '../contracts/errors.ts';
import type { ResultRecord } from '../contracts/result-record.ts';
import type { Progress } from '../host/progress.ts';
import type { ResolvedCell } from '../matrix/model.ts';
import type { Provider } from '../providers/provider.ts';
import { assertNotRunning, clearEarlierRun } from './earlier-run.ts';
import { runCell } from './run-cell.ts';
import { runArtifactServices } from './run-services.ts';
import { requireRunState } from './run-state.ts';

export interface ExecuteCellOptions {
  cell: ResolvedCell;
  provider: Provider;
  keep: boolean;
  fromStep?: string;
  artifactsOut: string;
  signal: AbortSignal;
  progress: Progress;
}

// Runs one resolved cell with the real mirror, its logs and dumps going to `artifactsOut`, and
// returns its record; the caller hands it to the reports (report/io/write-cell-reports.ts).
// Shared by `kvmatrix run` and `kvmatrix gate`.
export async function executeCell(opts: ExecuteCellOptions): Promise<ResultRecord> {
  const { cell } = opts;
  let resume: { state: Awaited<ReturnType<typeof requireRunState>>; fromStep: string } | undefined;
  if (opts.fromStep) {
    const state = await requireRunState(cell.name);
    assertNotRunning(state);
    const fromStep = opts.fromStep === 'failed' ? state.failedStep : opts.fromStep;
    if (!fromStep || !cell.steps.some((s) => s.id === fromStep)) {
      throw new KvError('USAGE', `cell ${cell.name} has no step "${opts.fromStep}" to resume from`, {
        hint: `steps: ${cell.steps.map((s) => s.id).join(', ')}`,
      });
    }
    resume = { state, fromStep };
  } else {
    await clearEarlierRun(cell.name, opts.progress);
  }
  const timeout = AbortSignal.timeout(cell.timeoutMinutes * 60_000);
  const signal = AbortSignal.any([opts.signal, timeout]);
  await mkdir(opts.artifactsOut, { recursive: true });
  // A shared mirror named by KVMATRIX_ARTIFACT_URL and KVMATRIX_REGISTRY (CI), else the local set.
  const remote = remoteMirrorFromEnv();
  const services = runArtifactServices(cell, {
    ...(remote ? { remote } : {}),
    transferReport: path.join(opts.artifactsOut, 'mirror-transfer.json'),
  });
  const record = await runCell({
    runnable: cell,
    provider: opts.provider,
    startArtifacts: services.start,
    preparePrerequisites: services.prepare,
    artifactsOut: opts.artifactsOut,
    keep: opts.keep,
    ...(resume ? { resume } : {}),
    signal,
    progress: opts.progress,
    ...ciIdentity(),
  });
  // The cell's own time limit is a product failure, not an interruption by the user or CI.
  if (timeout.aborted && !opts.signal.aborted && record.outcome === 'interrupted') record.outcome = 'failed';
  return record;
}

// The GitLab job this run belongs to, from GitLab's predefined CI/CD variables.
function ciIdentity(): { ci?: ResultRecord['ci'] } {
  const env = process.env;
  if (!env.GITLAB_CI) return {};
  const ci: NonNullable<ResultRecord['ci']> = {};
  if (env.CI_PIPELINE_ID) ci.pipelineId = env.CI_PIPELINE_ID;
  if (env.CI_JOB_ID) ci.jobId = env.CI_JOB_ID;
  if (env.CI_JOB_URL) ci.jobUrl = env.CI_JOB_URL;
  if (env.CI_COMMIT_SHA) ci.commit = env.CI_COMMIT_SHA;
  if (env.CI_COMMIT_REF_NAME) ci.ref = env.CI_COMMIT_REF_NAME;
  return { ci };
}
