import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import type { ResultRecord } from '../contracts/result-record.ts';
import type { Progress } from '../host/progress.ts';
import type { ResolvedCell } from '../matrix/model.ts';
import type { Provider } from '../providers/provider.ts';
import { buildPipelineReport } from '../report/build-report.ts';
import { isBlocking, type PipelineReport } from '../report/model.ts';
import { renderPipelineJunit } from '../report/render-junit.ts';
import { renderMarkdown } from '../report/render-markdown.ts';
import { executeCell } from '../run/execute-cell.ts';

// How many cells may run at once here: each cell's machines need their memory, and a cell
// deploying Kubernetes keeps about two cores busy. Never less than one.
export function gateConcurrency(
  cells: ResolvedCell[],
  cores = cpus().length,
  memoryMiB = totalmem() / 2 ** 20,
): number {
  const widest = Math.max(1, ...cells.map((c) => c.layout.nodes.length * c.machine.memoryMiB));
  return Math.max(1, Math.min(Math.floor(cores / 2), Math.floor((memoryMiB * 0.75) / widest)));
}

export interface GateOptions {
  tier: string;
  cells: ResolvedCell[];
  provider: Provider;
  concurrency: number;
  outDir: string;
  signal: AbortSignal;
  progress: Progress;
  now: () => Date;
}

export interface GateResult {
  report: PipelineReport;
  passed: boolean;
  records: ResultRecord[];
}

// Runs every cell of a tier (bounded by the machine's capacity), then judges the gate on their
// records. Cells run in the order given; a cell that was interrupted before it started has no
// record and is reported missing.
export async function runGate(opts: GateOptions): Promise<GateResult> {
  const limit = pLimit(opts.concurrency);
  const records: ResultRecord[] = [];
  await Promise.all(
    opts.cells.map((cell) =>
      limit(async () => {
        if (opts.signal.aborted) return;
        opts.progress.info(`gate ${opts.tier}: ${cell.name}`);
        const record = await executeCell({
          cell,
          provider: opts.provider,
          keep: false,
          artifactsOut: path.join(opts.outDir, 'cells', cell.name),
          signal: opts.signal,
          progress: opts.progress,
        });
        records.push(record);
        opts.progress.info(`gate ${opts.tier}: ${cell.name}: ${record.outcome}`);
      }),
    ),
  );
  return judgeGate({
    tier: opts.tier,
    cells: opts.cells,
    records,
    provider: opts.provider.name,
    outDir: opts.outDir,
    now: opts.now,
  });
}

export interface JudgeOptions {
  tier: string;
  cells: Pick<ResolvedCell, 'name' | 'axes' | 'scenario' | 'quarantine'>[];
  records: ResultRecord[];
  // Where the cells ran: a provider name, or "gitlab" when the records were collected from CI.
  provider: string;
  outDir: string;
  now: () => Date;
}

// The verdict and the release report (what ran, what passed, the versions of everything and the
// durations), from the records alone: the same judgement whether the cells ran here or in GitLab
// child pipelines. The gate passes only when every planned cell passed (quarantined ones may
// fail; a planned cell without a record is missing and never passes).
export async function judgeGate(opts: JudgeOptions): Promise<GateResult> {
  const planned = new Set(opts.cells.map((c) => c.name));
  const records = opts.records.filter((r) => planned.has(r.cell));
  const plan = opts.cells.map((c) => ({
    name: c.name,
    axes: c.axes,
    scenario: c.scenario,
    ...(c.quarantine ? { quarantine: c.quarantine } : {}),
  }));
  const report = buildPipelineReport({ records, plan, generatedAt: opts.now().toISOString() });
  const passed = report.cells.length > 0 && !report.cells.some((c) => isBlocking(c.status));
  await mkdir(opts.outDir, { recursive: true });
  const versions = mergeVersions(records);
  await writeFile(path.join(opts.outDir, 'junit.xml'), renderPipelineJunit(report));
  await writeFile(
    path.join(opts.outDir, 'release-report.json'),
    `${JSON.stringify({ tier: opts.tier, passed, versions, provider: opts.provider, report }, null, 2)}\n`,
  );
  await writeFile(
    path.join(opts.outDir, 'release-report.md'),
    renderReleaseMarkdown(opts.tier, passed, versions, report),
  );
  return { report, passed, records };
}

function mergeVersions(records: ResultRecord[]): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const r of records) {
    for (const [k, v] of Object.entries(r.versions)) {
      const seen = out[k] ?? new Set<string>();
      seen.add(v);
      out[k] = seen;
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
}

function renderReleaseMarkdown(
  tier: string,
  passed: boolean,
  versions: Record<string, string[]>,
  report: PipelineReport,
): string {
  return [
    `# Release gate \`${tier}\`: ${passed ? 'PASSED' : 'FAILED'}`,
    '',
    `${report.cells.length} cell(s), ${report.counts.passed} passed, total cell time ${Math.round(report.totalDurationMs / 1000)} s.`,
    '',
    '## Versions',
    '',
    ...Object.entries(versions).map(([k, v]) => `- ${k}: ${v.join(', ')}`),
    '',
    renderMarkdown(report).replace(/^<!--[^>]*-->\n?/, ''),
    '',
  ].join('\n');
}
