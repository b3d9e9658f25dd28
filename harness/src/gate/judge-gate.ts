import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ResultRecord } from '../contracts/result-record.ts';
import type { ResolvedCell } from '../matrix/model.ts';
import { buildPipelineReport } from '../report/build-report.ts';
import { isBlocking, type PipelineReport } from '../report/model.ts';
import { renderPipelineJunit } from '../report/render-junit.ts';
import { renderReleaseMarkdown } from './release-report.ts';

export interface GateResult {
  report: PipelineReport;
  passed: boolean;
  records: ResultRecord[];
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
