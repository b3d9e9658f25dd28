import { formatDuration, escapeHtml as h, shortSha } from './format.ts';
import { comboKey, pivotCells } from './html-pivot.ts';
import { renderStyles } from './html-styles.ts';
import { renderLinks, renderTimeline } from './html-timeline.ts';
import { CELL_STATUSES, type CellReport, isBlocking, type PipelineReport } from './model.ts';
import { STATUS_LABEL } from './status-labels.ts';

export interface HtmlOptions {
  // Axes across the top of the grid (default: kubernetes and layout when the matrix has them).
  columns?: string[];
  pipelineUrl?: string;
}

function chip(cell: CellReport): string {
  const label = STATUS_LABEL[cell.status];
  const why =
    cell.status === 'missing'
      ? '<span class="why">no result record</span>'
      : cell.firstFailure && cell.status !== 'passed'
        ? `<span class="why">${h(cell.firstFailure.check ? `${cell.firstFailure.step} › ${cell.firstFailure.check}` : cell.firstFailure.step)}: ${h(cell.firstFailure.reason)}</span>`
        : '';
  const last = cell.lastPassed;
  const evidence = last
    ? `; last passed ${last.finishedAt.slice(0, 16).replace('T', ' ')}Z on ${last.provider ?? '?'} in ${formatDuration(last.durationMs)}`
    : '; never passed';
  return `<a class="chip st-${cell.status}" href="#cell-${h(cell.name)}" title="${h(`${cell.name}: ${label.text}${evidence}`)}"><span class="dur">${formatDuration(cell.durationMs)}</span><b>${h(cell.scenario)}</b> · ${label.text}${why}</a>`;
}

function renderGrid(report: PipelineReport, options: HtmlOptions): string {
  const pivot = pivotCells(report.cells, report.axisOrder, options.columns);
  const { rowAxes, columnAxes, rows, columns } = pivot;
  const head: string[] = [];
  // One header row per column axis, its values spanning the columns that share them; the corner
  // names the axis. A last row names the row axes.
  columnAxes.forEach((axis, level) => {
    const ths: string[] = [];
    let i = 0;
    while (i < columns.length) {
      const prefix = comboKey((columns[i] as string[]).slice(0, level + 1));
      let span = 1;
      while (
        i + span < columns.length &&
        comboKey((columns[i + span] as string[]).slice(0, level + 1)) === prefix
      )
        span += 1;
      ths.push(`<th class="group" colspan="${span}">${h((columns[i] as string[])[level] as string)}</th>`);
      i += span;
    }
    head.push(
      `<tr><th class="axis corner" colspan="${rowAxes.length}">${h(axis)} →</th>${ths.join('')}</tr>`,
    );
  });
  head.push(
    `<tr>${rowAxes.map((a) => `<th class="axis">${h(a)} ↓</th>`).join('')}<th class="axis spacer" colspan="${columns.length}"></th></tr>`,
  );
  const body = rows.map((row, r) => {
    const heads = row
      .map((value, i) => {
        const prev = rows[r - 1];
        const repeat = prev && prev.slice(0, i + 1).join('\u0000') === row.slice(0, i + 1).join('\u0000');
        return `<th${repeat ? ' class="repeat"' : ''}>${h(value)}</th>`;
      })
      .join('');
    const tds = columns
      .map((col) => {
        const cells = pivot.cells.get(`${comboKey(row)}|${comboKey(col)}`);
        return cells ? `<td>${cells.map(chip).join('')}</td>` : '<td class="empty"></td>';
      })
      .join('');
    const groupStart = r > 0 && rows[r - 1]?.[0] !== row[0];
    return `<tr${groupStart ? ' class="group-start"' : ''}>${heads}${tds}</tr>`;
  });
  const caption =
    columnAxes.length > 0
      ? `<p class="muted">Rows: ${rowAxes.map(h).join(' × ')}. Columns: ${columnAxes.map(h).join(' × ')}. Scenarios inside each cell; click one for its timeline.</p>`
      : '';
  const colgroup = `<colgroup>${rowAxes.map(() => '<col class="rowhead">').join('')}${columns.map(() => '<col>').join('')}</colgroup>`;
  return `${caption}<table class="grid">${colgroup}<thead>${head.join('')}</thead><tbody>${body.join('\n')}</tbody></table>`;
}

function renderAttention(cells: CellReport[]): string {
  if (cells.length === 0) return '<p>Every cell passed.</p>';
  const cards = cells.map((cell) => {
    const label = STATUS_LABEL[cell.status];
    const where = cell.firstFailure
      ? `<span class="where">${h(cell.firstFailure.check ? `${cell.firstFailure.step} › ${cell.firstFailure.check}` : cell.firstFailure.step)}</span>: ${h(cell.firstFailure.reason)}`
      : cell.status === 'missing'
        ? 'No result record: the job did not run, or lost its artifacts.'
        : '';
    const quarantine = cell.quarantine ? ` · <a href="${h(cell.quarantine.issue)}">quarantine issue</a>` : '';
    const flakes = cell.flakeEvidence?.length
      ? ` · failed before in ${cell.flakeEvidence.map((e) => (e.startsWith('http') ? `<a href="${h(e)}">job</a>` : h(e))).join(', ')}`
      : '';
    return `<div class="card" style="border-left-color:${label.colour}"><h3><span class="tag st-${cell.status}">${label.text}</span>${h(cell.name)}</h3><div class="why">${where}</div><div class="links">${renderLinks(cell)}${quarantine}${flakes}${cell.durationMs === undefined ? '' : ` · ${formatDuration(cell.durationMs)}`} · rerun: <code>${h(cell.rerun)}</code></div></div>`;
  });
  return `<div class="attention">${cards.join('\n')}</div>`;
}

function renderSuggestions(report: PipelineReport): string {
  if (report.suggestions.length === 0) return '';
  const items = report.suggestions.map((s) => {
    const evidence = s.evidence
      .map(
        (e) =>
          `${h(shortSha(e.commit))}: ${e.failedJobUrl ? `<a href="${h(e.failedJobUrl)}">failed</a>` : `failed job ${h(e.failedJob ?? '?')}`} then ${e.passedJobUrl ? `<a href="${h(e.passedJobUrl)}">passed</a>` : `passed job ${h(e.passedJob ?? '?')}`}`,
      )
      .join('; ');
    return `<li><code>${h(s.cell)}</code> flaked ${s.flakes} times in its last ${s.window} runs — ${evidence}</li>`;
  });
  return `<section class="suggest"><h2>Quarantine suggested</h2><ul>${items.join('')}</ul></section>`;
}

// The HTML matrix report: one self-contained file (inline CSS, no script, nothing fetched),
// readable offline and as a GitLab artifact. Pure: data in, string out.
export function renderHtml(report: PipelineReport, options: HtmlOptions = {}): string {
  const order = new Map(CELL_STATUSES.map((s, i) => [s, i]));
  const attention = report.cells
    .filter((c) => c.status !== 'passed')
    .sort((a, b) => (order.get(a.status) ?? 0) - (order.get(b.status) ?? 0) || a.name.localeCompare(b.name));
  const blocking = report.cells.filter((c) => isBlocking(c.status)).length;
  const verdict =
    blocking > 0
      ? `${blocking} of ${report.cells.length} cells failing`
      : `all ${report.cells.length} cells passed`;
  const verdictStatus = blocking > 0 ? 'failed' : 'passed';
  const counts = CELL_STATUSES.filter((s) => report.counts[s] > 0)
    .map((s) => `<span class="count st-${s}">${report.counts[s]} ${STATUS_LABEL[s].text}</span>`)
    .join('');
  const legend = CELL_STATUSES.map((s) => `<span class="st-${s}">${STATUS_LABEL[s].text}</span>`).join('');
  const pipeline = report.pipelineId
    ? options.pipelineUrl
      ? `pipeline <a href="${h(options.pipelineUrl)}" style="color:#fff">#${h(report.pipelineId)}</a>`
      : `pipeline #${h(report.pipelineId)}`
    : '';
  const meta = [
    pipeline,
    report.commit ? `commit <code>${h(shortSha(report.commit))}</code>` : '',
    report.ref ? `ref <code>${h(report.ref)}</code>` : '',
    `${report.cells.length} cells`,
    `machine time ${formatDuration(report.totalDurationMs)}`,
  ]
    .filter(Boolean)
    .join(' · ');
  const timelineOrder = [...attention, ...report.cells.filter((c) => c.status === 'passed')];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>kvmatrix: ${h(verdict)}</title>
<style>${renderStyles()}</style>
</head>
<body>
<header><h1>kvmatrix matrix report <span class="verdict st-${verdictStatus}">${h(verdict)}</span></h1><div class="meta">${meta}</div><div class="counts">${counts}</div></header>
<main>
<section id="attention"><h2>Needs attention (${attention.length}: ${blocking} failing, ${attention.length - blocking} passed with a caveat)</h2>${renderAttention(attention)}</section>
${renderSuggestions(report)}
<section id="grid"><h2>Matrix</h2><div class="legend">${legend}</div>${renderGrid(report, options)}</section>
<section id="timeline"><h2>Per-step timeline</h2><p class="muted">Grey: machines up and down. Green or red: a step with its checks. One time scale for all cells.</p>${renderTimeline(timelineOrder)}</section>
</main>
<footer>Generated ${h(report.generatedAt)} by <code>kvmatrix report</code>. Rerun one cell on your own machine: <code>npx kvmatrix run &lt;cell&gt;</code>.</footer>
</body>
</html>
`;
}
