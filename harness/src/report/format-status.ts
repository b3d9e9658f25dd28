import type { MatrixEvidence, RunEvidence } from './cell-evidence.ts';
import { formatDuration, toOneLine } from './format.ts';

// The text `kvmatrix matrix status` prints: per cell, then per axis value, when and where it last
// passed and failed (time, provider, duration, runtime and kubelet versions). Pure.

function when(run: RunEvidence): string {
  return `${run.finishedAt.slice(0, 16).replace('T', ' ')}Z`;
}

function describeRun(run: RunEvidence | undefined, withReason: boolean): string {
  if (!run) return 'never';
  const parts = [when(run), run.provider ?? '?', formatDuration(run.durationMs)];
  const runtime = run.versions?.['container-runtime'];
  const kubelet = run.versions?.kubelet;
  if (runtime) parts.push(runtime);
  if (kubelet) parts.push(`kubelet ${kubelet}`);
  if (run.outcome !== 'passed') parts.push(run.outcome);
  if (withReason && run.reason) parts.push(`(${toOneLine(run.reason, 80)})`);
  return parts.join(' ');
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

export function formatMatrixStatus(evidence: MatrixEvidence, sources: string): string {
  const lines: string[] = [];
  const cellRows = [['cell', 'last passed', 'last failed']];
  for (const cell of evidence.cells) {
    cellRows.push([cell.cell, describeRun(cell.lastPassed, false), describeRun(cell.lastFailed, true)]);
  }
  lines.push(...table(cellRows));
  const ran = evidence.cells.filter((c) => c.runs > 0).length;
  const passedOnce = evidence.cells.filter((c) => c.lastPassed).length;
  lines.push(
    `# ${passedOnce} of ${evidence.cells.length} cells passed at least once, ${ran} ran (${sources})`,
    '',
  );
  const valueRows = [['axis value', 'cells', 'passed', 'last passed', 'last failed']];
  for (const value of evidence.axisValues) {
    const pass = value.lastPassed;
    const fail = value.lastFailed;
    valueRows.push([
      `${value.axis} ${value.value}`,
      String(value.cells),
      String(value.passedCells),
      pass ? `${describeRun(pass, false)} ${pass.cell}` : 'never',
      fail ? `${describeRun(fail, false)} ${fail.cell}` : 'never',
    ]);
  }
  lines.push(...table(valueRows));
  const unproven = evidence.axisValues.filter((v) => !v.lastPassed).map((v) => `${v.axis} ${v.value}`);
  lines.push(
    unproven.length
      ? `# no passing run yet for: ${unproven.join(', ')}`
      : '# every axis value has a passing cell',
  );
  return `${lines.join('\n')}\n`;
}
