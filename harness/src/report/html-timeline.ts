import { formatDuration, escapeHtml as h } from './format.ts';
import type { CellReport } from './model.ts';
import { STATUS_LABEL } from './status-labels.ts';

interface Segment {
  label: string;
  className: string;
  ms: number;
  title: string;
}

function segmentsOf(cell: CellReport): Segment[] {
  const record = cell.record;
  if (!record) return [];
  const segments: Segment[] = [];
  const [up, ...rest] = record.phases;
  if (up)
    segments.push({
      label: up.phase,
      className: 'phase',
      ms: up.durationMs,
      title: `${up.phase} ${formatDuration(up.durationMs)}`,
    });
  for (const step of record.steps) {
    const checksMs = step.checks.reduce((sum, c) => sum + c.durationMs, 0);
    const failing = step.checks.find((c) => c.outcome === 'failed' || c.outcome === 'error');
    const outcome = failing ? 'failed' : step.outcome;
    const detail = failing
      ? ` — ${failing.id}: ${failing.message ?? failing.outcome}`
      : step.message
        ? ` — ${step.message}`
        : '';
    segments.push({
      label: step.id,
      className: `step-${outcome}`,
      ms: step.durationMs + checksMs,
      title: `${step.id} (${step.kind}) ${outcome} in ${formatDuration(step.durationMs)} + checks ${formatDuration(checksMs)}${detail}`,
    });
  }
  for (const phase of rest) {
    segments.push({
      label: phase.phase,
      className: 'phase',
      ms: phase.durationMs,
      title: `${phase.phase} ${formatDuration(phase.durationMs)}`,
    });
  }
  return segments;
}

export function renderLinks(cell: CellReport): string {
  const parts: string[] = [];
  if (cell.links.job) parts.push(`<a href="${h(cell.links.job)}">job log</a>`);
  if (cell.links.artifacts) parts.push(`<a href="${h(cell.links.artifacts)}">artifacts</a>`);
  return parts.join(' · ') || '<span class="muted">no job</span>';
}

// One row per cell: its phases and steps as a bar, all bars on the same time scale so that
// slow cells stand out. Hover titles carry the exact durations and the failing check.
export function renderTimeline(cells: CellReport[]): string {
  const longest = Math.max(1, ...cells.map((c) => c.record?.durationMs ?? 0));
  const rows = cells.map((cell) => {
    const label = STATUS_LABEL[cell.status];
    const segments = segmentsOf(cell);
    const total = cell.record?.durationMs ?? 0;
    const bar = segments.length
      ? segments
          .map((s) => {
            const width = ((s.ms / longest) * 100).toFixed(2);
            return `<div class="seg ${s.className}" style="width:${width}%" title="${h(s.title)}">${h(s.label)}</div>`;
          })
          .join('')
      : `<div class="seg" style="width:100%;color:#57606a">${cell.status === 'missing' ? 'no result record' : 'no steps ran'}</div>`;
    const attempts =
      cell.attempts.length > 1 ? ` <span class="muted">(${cell.attempts.length} attempts)</span>` : '';
    return `<tr id="cell-${h(cell.name)}"><td class="name"><span class="tag st-${cell.status}">${label.text}</span><code>${h(cell.name)}</code>${attempts}</td><td><div class="bar">${bar}</div></td><td class="total">${formatDuration(total || undefined)}</td><td class="links">${renderLinks(cell)}</td></tr>`;
  });
  return `<table class="timeline"><tbody>${rows.join('\n')}</tbody></table>`;
}
