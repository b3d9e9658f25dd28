// Small text helpers shared by the renderers (pure).

// "1h 02m", "3m 07s", "12.3s", "850ms".
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return `${m}m ${String(s).padStart(2, '0')}s`;
}

// The first non-empty line of a message, whitespace squeezed, cut to `max` characters.
export function toOneLine(text: string | undefined, max = 140): string {
  if (!text) return '';
  const line =
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? '';
  const squeezed = line.replace(/\s+/g, ' ');
  return squeezed.length > max ? `${squeezed.slice(0, max - 1)}…` : squeezed;
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

// GitLab-flavoured Markdown table cell: no pipes, no newlines, no raw HTML.
export function escapeMarkdownCell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replaceAll('|', '\\|').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export function shortSha(sha: string | undefined): string {
  return sha ? sha.slice(0, 8) : '';
}
