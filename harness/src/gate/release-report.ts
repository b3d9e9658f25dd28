import type { PipelineReport } from '../report/model.ts';
import { renderMarkdown } from '../report/render-markdown.ts';

// The release report in Markdown: the verdict, the versions of everything that ran, then the
// pipeline report of the tier's cells.
export function renderReleaseMarkdown(
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
