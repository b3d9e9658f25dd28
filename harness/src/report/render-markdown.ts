import { escapeMarkdownCell as cell, formatDuration, shortSha } from './format.ts';
import { CELL_STATUSES, type CellReport, isBlocking, type PipelineReport } from './model.ts';
import { REPORT_MARKER, STATUS_LABEL } from './status-labels.ts';

// GitLab refuses notes longer than 1,000,000 characters; stay well below.
export const MAX_NOTE_LENGTH = 900_000;

export interface MarkdownOptions {
  // Where the HTML matrix report can be opened (the report job's exposed artifact).
  htmlUrl?: string;
  // Where the pipeline can be seen.
  pipelineUrl?: string;
}

function summaryLine(report: PipelineReport): string {
  const parts = CELL_STATUSES.filter((s) => report.counts[s] > 0).map(
    (s) => `${STATUS_LABEL[s].icon} ${report.counts[s]} ${STATUS_LABEL[s].text}`,
  );
  return parts.join(' · ');
}

function failureText(c: CellReport): string {
  if (c.status === 'missing') return 'no result record: the job did not run or lost its artifacts';
  if (!c.firstFailure) return '';
  const where = c.firstFailure.check
    ? `${c.firstFailure.step} › ${c.firstFailure.check}`
    : c.firstFailure.step;
  return `**${cell(where)}**: ${cell(c.firstFailure.reason)}`;
}

function links(c: CellReport): string {
  const parts: string[] = [];
  if (c.links.job) parts.push(`[log](${c.links.job})`);
  if (c.links.artifacts) parts.push(`[artifacts](${c.links.artifacts})`);
  return parts.join(' · ');
}

function statusText(c: CellReport): string {
  const label = `${STATUS_LABEL[c.status].icon} ${STATUS_LABEL[c.status].text}`;
  if (c.status === 'quarantined' && c.quarantine) return `${label} ([issue](${c.quarantine.issue}))`;
  if (c.attempts.length > 1) return `${label} (${c.attempts.length} attempts)`;
  return label;
}

function table(report: PipelineReport, cells: CellReport[], detailed: boolean): string {
  const axes = report.axisOrder;
  const head = [
    ...axes,
    'scenario',
    'result',
    'duration',
    ...(detailed ? ['first failure', 'links', 'rerun locally'] : ['links']),
  ];
  const rows = cells.map((c) => {
    const values = [
      ...axes.map((a) => cell(c.axes[a] ?? '')),
      cell(c.scenario),
      statusText(c),
      formatDuration(c.durationMs),
      ...(detailed ? [failureText(c), links(c), `\`${c.rerun}\``] : [links(c)]),
    ];
    return `| ${values.join(' | ')} |`;
  });
  return [`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`, ...rows].join('\n');
}

// The sticky merge-request comment. Starts with a hidden marker so that the next pipeline finds
// and edits this comment instead of adding another. Cells needing attention come first, with
// the first failing step and check and how to rerun them; passed cells fold away.
export function renderMarkdown(report: PipelineReport, options: MarkdownOptions = {}): string {
  const order = new Map(CELL_STATUSES.map((s, i) => [s, i]));
  const attention = report.cells
    .filter((c) => c.status !== 'passed')
    .sort((a, b) => (order.get(a.status) ?? 0) - (order.get(b.status) ?? 0) || a.name.localeCompare(b.name));
  const passed = report.cells.filter((c) => c.status === 'passed');
  const blocking = report.cells.filter((c) => isBlocking(c.status)).length;
  const verdict =
    report.cells.length === 0
      ? '⚠️ no cells'
      : blocking > 0
        ? `❌ ${blocking} of ${report.cells.length} cells failing`
        : `✅ all ${report.cells.length} cells passed`;
  const where = [
    report.pipelineId
      ? options.pipelineUrl
        ? `pipeline [#${report.pipelineId}](${options.pipelineUrl})`
        : `pipeline #${report.pipelineId}`
      : '',
    report.commit ? `commit ${shortSha(report.commit)}` : '',
  ]
    .filter(Boolean)
    .join(', ');

  const out: string[] = [REPORT_MARKER, `### kvmatrix: ${verdict}`, ''];
  out.push(
    `${summaryLine(report)}${where ? ` — ${where}` : ''} — total machine time ${formatDuration(report.totalDurationMs)}`,
  );
  if (options.htmlUrl)
    out.push('', `📊 [Open the matrix report](${options.htmlUrl}) (grid, per-step timelines, links)`);
  // Very large matrices: fold away what does not fit, pointing at the HTML report.
  const rowBudget = Math.max(50, Math.floor(MAX_NOTE_LENGTH / 700));
  const shown = attention.slice(0, rowBudget);
  if (shown.length > 0)
    out.push(
      '',
      `**Needs attention** (${attention.length}: ${blocking} failing, ${attention.length - blocking} passed with a caveat)`,
      '',
      table(report, shown, true),
    );
  if (attention.length > shown.length) {
    out.push(
      '',
      `… and ${attention.length - shown.length} more cells needing attention: see the matrix report.`,
    );
  }
  const passedFits = passed.length * 350 < MAX_NOTE_LENGTH - shown.length * 700;
  if (passed.length > 0 && !passedFits)
    out.push('', `${passed.length} cells passed (listed in the matrix report).`);
  if (passed.length > 0 && passedFits) {
    out.push(
      '',
      `<details><summary>${passed.length} passed cells</summary>`,
      '',
      table(report, passed, false),
      '',
      '</details>',
    );
  }
  if (report.suggestions.length > 0) {
    out.push('', '#### Quarantine suggested', '');
    for (const s of report.suggestions) {
      const evidence = s.evidence
        .map((e) => {
          const failed = e.failedJobUrl ? `[failed](${e.failedJobUrl})` : `failed job ${e.failedJob ?? '?'}`;
          const passedLink = e.passedJobUrl
            ? `[passed](${e.passedJobUrl})`
            : `passed job ${e.passedJob ?? '?'}`;
          return `${shortSha(e.commit)}: ${failed} then ${passedLink}`;
        })
        .join('; ');
      out.push(
        `- \`${s.cell}\` flaked ${s.flakes} times in its last ${s.window} runs (${evidence}). Quarantine it with an issue until it is fixed.`,
      );
    }
  }
  out.push(
    '',
    'Rerun one cell on your own machine: `npx kvmatrix run <cell>` (list cells with `npx kvmatrix matrix list`).',
    '',
    `<sub>Updated ${report.generatedAt} by \`kvmatrix report\`. This comment is edited in place on every pipeline.</sub>`,
  );
  return `${out.join('\n')}\n`;
}
