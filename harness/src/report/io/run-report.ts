import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../../contracts/errors.ts';
import type { ResultRecord } from '../../contracts/result-record.ts';
import { ensureDirectory } from '../../host/ensure-directory.ts';
import { buildPipelineReport } from '../build-report.ts';
import { findFirstFailure } from '../first-failure.ts';
import { addRunsToHistory, createFlakeHistory } from '../flake-history.ts';
import { collectChildRecords } from '../gitlab/collect-pipeline.ts';
import { createGitLabClient, type GitLabClient, readGitLabSettings } from '../gitlab/gitlab-client.ts';
import { postReport } from '../gitlab/post-report.ts';
import type { RetryPolicy } from '../gitlab/request-handler.ts';
import { isBlocking, type PipelineReport } from '../model.ts';
import { renderHtml } from '../render-html.ts';
import { renderPipelineJunit } from '../render-junit.ts';
import { renderMarkdown } from '../render-markdown.ts';
import { readFlakeHistory, writeFlakeHistory } from './flake-store.ts';
import { loadPlan } from './load-plan.ts';
import { loadResultRecords } from './load-results.ts';

export interface ReportOptions {
  results: string[];
  plan?: string;
  tier?: string;
  matrix?: string;
  junit?: string;
  markdown?: string;
  html?: string;
  json?: string;
  history?: string;
  post?: boolean;
  statuses?: boolean;
  collect?: boolean | string;
  artifactPath: string;
  reportUrl?: string;
  columns?: string;
  strict?: boolean;
}

export interface ReportEnvironment {
  env: NodeJS.ProcessEnv;
  cwd: string;
  now: () => Date;
  log: (line: string) => void;
  policy?: RetryPolicy;
}

async function writeOutput(file: string, content: string): Promise<void> {
  await ensureDirectory(path.dirname(path.resolve(file)));
  await writeFile(file, content);
}

// Where the HTML report will be reachable once this job's artifacts are uploaded.
function defaultReportUrl(env: NodeJS.ProcessEnv, html: string | undefined, cwd: string): string | undefined {
  if (!html || !env.CI_JOB_URL) return undefined;
  const relative = path.relative(env.CI_PROJECT_DIR ?? cwd, path.resolve(cwd, html));
  if (relative.startsWith('..')) return undefined;
  return `${env.CI_JOB_URL}/artifacts/file/${relative.split(path.sep).join('/')}`;
}

// `kvmatrix report`: gathers the records (fetching them from the child pipelines with
// --collect), merges them against the plan, keeps the flake history, writes the requested
// files and posts to GitLab. Returns the exit status.
export async function runReport(options: ReportOptions, context: ReportEnvironment): Promise<number> {
  const { env, log } = context;
  let client: GitLabClient | undefined;
  if (options.post || options.collect) {
    client = createGitLabClient(readGitLabSettings(env), {
      log,
      ...(context.policy ? { policy: context.policy } : {}),
    });
  }
  if (options.collect && client) {
    const pipelineId = typeof options.collect === 'string' ? options.collect : env.CI_PIPELINE_ID;
    if (!pipelineId) throw new UsageError('--collect needs a pipeline id (or CI_PIPELINE_ID)');
    const outDir = options.results[0];
    if (!outDir || options.results.length !== 1) {
      throw new UsageError('--collect writes into the one --results directory; give exactly one');
    }
    const collected = await collectChildRecords(client, {
      pipelineId,
      artifactPath: options.artifactPath,
      outDir: path.resolve(context.cwd, outDir),
    });
    for (const job of collected.without) log(`job ${job.job} has no ${options.artifactPath} (${job.url})`);
  }

  const { files, records } = await loadResultRecords(options.results, context.cwd);
  log(`read ${records.length} result records from ${files.length} files`);
  const plan = await loadPlan({
    ...(options.plan ? { plan: path.resolve(context.cwd, options.plan) } : {}),
    ...(options.tier ? { tier: options.tier } : {}),
    ...(options.matrix ? { matrix: path.resolve(context.cwd, options.matrix) } : {}),
  });
  if (!plan)
    log(
      'no --plan or --tier: cells that never ran cannot be told apart, only the records present are reported',
    );

  const previous = options.history
    ? await readFlakeHistory(path.resolve(context.cwd, options.history))
    : createFlakeHistory();
  const reasons = new Map<ResultRecord, string>();
  for (const record of records) {
    const failure = findFirstFailure(record);
    if (failure)
      reasons.set(record, `${failure.step}${failure.check ? `/${failure.check}` : ''}: ${failure.reason}`);
  }
  const history = addRunsToHistory(previous, records, reasons);
  const report: PipelineReport = buildPipelineReport({
    records,
    ...(plan ? { plan } : {}),
    ...(options.history ? { history } : {}),
    generatedAt: context.now().toISOString(),
  });

  const pipelineUrl = env.CI_PIPELINE_URL;
  const reportUrl = options.reportUrl ?? defaultReportUrl(env, options.html, context.cwd);
  const markdown = renderMarkdown(report, {
    ...(reportUrl ? { htmlUrl: reportUrl } : {}),
    ...(pipelineUrl ? { pipelineUrl } : {}),
  });
  const outputs: Array<[string | undefined, () => string]> = [
    [options.junit, () => renderPipelineJunit(report)],
    [options.markdown, () => markdown],
    [
      options.html,
      () =>
        renderHtml(report, {
          ...(options.columns ? { columns: options.columns.split(',').map((c) => c.trim()) } : {}),
          ...(pipelineUrl ? { pipelineUrl } : {}),
        }),
    ],
    [options.json, () => `${JSON.stringify(report, null, 2)}\n`],
  ];
  for (const [file, render] of outputs) {
    if (!file) continue;
    await writeOutput(path.resolve(context.cwd, file), render());
    log(`wrote ${file}`);
  }
  if (options.history) {
    await writeFlakeHistory(path.resolve(context.cwd, options.history), history);
    log(`updated the flake history ${options.history}`);
  }
  if (options.post && client) {
    await postReport(client, report, {
      markdown,
      ...(reportUrl ? { reportUrl } : {}),
      statuses: options.statuses !== false,
    });
  }

  const summary = Object.entries(report.counts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  log(`${report.cells.length} cells: ${summary || 'none'}`);
  for (const s of report.suggestions)
    log(`quarantine suggested: ${s.cell} flaked ${s.flakes} times in its last ${s.window} runs`);
  const blocking = report.cells.filter((c) => isBlocking(c.status)).length;
  return options.strict && blocking > 0 ? 1 : 0;
}
