import type { Finding, ToolOutcome } from './finding.ts';
import { describeCount, exitStatusOf, type LintReport, seconds } from './run-lint.ts';

// The terminal summary: one block per tool, each finding as `file:line:col  rule  message`.
export function formatSummary(report: LintReport): string {
  const lines: string[] = [`kvmatrix lint: ${report.root}`];
  for (const note of report.notes) lines.push(`  ${note}`);
  lines.push('');
  const width = Math.max(...report.outcomes.map((o) => o.tool.length));
  for (const outcome of report.outcomes) {
    lines.push(`${outcome.tool.padEnd(width)}  ${headline(outcome)}`);
    for (const finding of outcome.findings) lines.push(`  ${formatFinding(finding)}`);
    if (outcome.status === 'failed' && outcome.reason) {
      lines.push(...outcome.reason.split('\n').map((line) => `  ${line}`));
    }
  }
  lines.push('', verdict(report));
  return `${lines.join('\n')}\n`;
}

export function formatFinding(finding: Finding): string {
  const where = `${finding.file}:${finding.line}${finding.column === undefined ? '' : `:${finding.column}`}`;
  return `${where}  ${finding.rule}  ${finding.message.replaceAll('\n', ' ')}`;
}

function headline(outcome: ToolOutcome): string {
  const files = outcome.checked.length === 1 ? '1 file' : `${outcome.checked.length} files`;
  switch (outcome.status) {
    case 'skipped':
      return `skipped: ${outcome.reason ?? ''}`;
    case 'failed':
      return 'COULD NOT RUN';
    case 'clean':
      return `clean (${files}, ${seconds(outcome.durationMs)})`;
    case 'findings': {
      const inFiles = new Set(outcome.findings.map((f) => f.file)).size;
      return `${describeCount(outcome.findings.length)} in ${inFiles === 1 ? '1 file' : `${inFiles} files`} (${files} checked, ${seconds(outcome.durationMs)})`;
    }
  }
}

function verdict(report: LintReport): string {
  const status = exitStatusOf(report);
  const total = report.outcomes.reduce((sum, o) => sum + o.findings.length, 0);
  const ran = report.outcomes.filter((o) => o.status !== 'skipped').length;
  const failed = report.outcomes.filter((o) => o.status === 'failed').map((o) => o.tool);
  const base = `${ran} of ${report.outcomes.length} tools ran in ${seconds(report.durationMs)}: ${describeCount(total)}`;
  if (status === 2) {
    return `${ran} of ${report.outcomes.length} tools ran in ${seconds(report.durationMs)}: ${total} findings; could not run: ${failed.join(', ')} (exit 2)`;
  }
  return `${base} (exit ${status})`;
}
