import type { ResultRecord } from '../contracts/result-record.ts';

const MARK = { passed: 'pass', failed: 'FAIL', skipped: 'skip', error: 'ERROR' } as const;

function secs(ms: number): string {
  return ms >= 60_000
    ? `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`
    : `${(ms / 1000).toFixed(1)}s`;
}

// A Markdown summary of one cell's record, for the job log and artifacts. Pure.
export function renderCellMarkdown(record: ResultRecord): string {
  const lines = [
    `# ${record.cell}: ${record.outcome}`,
    '',
    `Scenario \`${record.scenario}\` on \`${record.provider}\`, ${secs(record.durationMs)}. Axes: ${Object.entries(
      record.axes,
    )
      .map(([k, v]) => `${k}=\`${v}\``)
      .join(', ')}.`,
    '',
    '| step | playbook | result | time | note |',
    '| --- | --- | --- | --- | --- |',
    ...record.steps.map(
      (s) =>
        `| ${s.id} | ${s.playbook || '-'} | ${MARK[s.outcome]} | ${secs(s.durationMs)} | ${cell(s.message ?? '')} |`,
    ),
  ];
  const checks = record.steps.flatMap((s) => s.checks.map((c) => ({ step: s.id, ...c })));
  if (checks.length) {
    lines.push('', '| step | check | result | time | note |', '| --- | --- | --- | --- | --- |');
    for (const c of checks)
      lines.push(
        `| ${c.step} | ${c.id} | ${MARK[c.outcome]} | ${secs(c.durationMs)} | ${cell(c.message ?? '')} |`,
      );
  }
  const changed = record.steps.filter((s) => s.kind === 'idempotence' && s.changed?.length);
  for (const s of changed) {
    lines.push('', `## Changed in idempotence step \`${s.id}\``, '');
    for (const c of s.changed ?? [])
      lines.push(`- ${c.host}: ${c.task}${c.diff ? `\n\n\`\`\`diff\n${c.diff}\n\`\`\`` : ''}`);
  }
  if (record.phases.length) {
    lines.push(
      '',
      '| phase | time |',
      '| --- | --- |',
      ...record.phases.map(
        (p) => `| ${p.phase}${p.machine ? ` (${p.machine})` : ''} | ${secs(p.durationMs)} |`,
      ),
    );
  }
  lines.push('', `Rerun on your own machine: \`npx kvmatrix run ${record.cell}\``, '');
  return lines.join('\n');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ').slice(0, 200);
}
