// Report rendering figures: merge records and render every format for the 36-cell fixture and for
// a 1,008-cell pipeline made from it. `npm run bench -- report`.

import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { PlanCell } from '../src/contracts/plan.ts';
import type { ResultRecord } from '../src/contracts/result-record.ts';
import { buildPipelineReport } from '../src/report/build-report.ts';
import { loadPlanFile, loadResultRecords } from '../src/report/io/load-results.ts';
import { renderHtml } from '../src/report/render-html.ts';
import { renderPipelineJunit } from '../src/report/render-junit.ts';
import { renderMarkdown } from '../src/report/render-markdown.ts';
import type { Print } from './bench.ts';

const fixture = fileURLToPath(new URL('../src/report/test/fixtures/pipeline-36/', import.meta.url));

function time<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const value = fn();
  return [value, performance.now() - start];
}

function scale(records: ResultRecord[], plan: PlanCell[], copies: number) {
  const bigRecords: ResultRecord[] = [];
  const bigPlan: PlanCell[] = [];
  for (let i = 0; i < copies; i += 1) {
    const suffix = `-r${i}`;
    for (const cell of plan)
      bigPlan.push({ ...cell, name: cell.name + suffix, axes: { ...cell.axes, region: `r${i}` } });
    for (const r of records)
      bigRecords.push({ ...r, cell: r.cell + suffix, axes: { ...r.axes, region: `r${i}` } });
  }
  return { records: bigRecords, plan: bigPlan };
}

export async function benchReport(print: Print): Promise<void> {
  const { records } = await loadResultRecords([`${fixture}results`]);
  const plan = await loadPlanFile(`${fixture}plan.json`);
  for (const [label, input] of [
    ['36 cells', { records, plan }],
    ['1008 cells', scale(records, plan, 28)],
  ] as const) {
    const [report, buildMs] = time(() =>
      buildPipelineReport({ ...input, generatedAt: new Date().toISOString() }),
    );
    const [html, htmlMs] = time(() => renderHtml(report));
    const [md, mdMs] = time(() => renderMarkdown(report));
    const [junit, junitMs] = time(() => renderPipelineJunit(report));
    print(
      `report ${label}: merge ${buildMs.toFixed(1)} ms; html ${htmlMs.toFixed(1)} ms (${(html.length / 1024).toFixed(0)} KiB); ` +
        `markdown ${mdMs.toFixed(1)} ms (${(md.length / 1024).toFixed(0)} KiB); junit ${junitMs.toFixed(1)} ms (${(junit.length / 1024).toFixed(0)} KiB)`,
    );
  }
}
