import { createHash } from 'node:crypto';
import type { Finding } from './finding.ts';
import type { LintReport } from './run-lint.ts';

// One issue of GitLab's Code Quality report (the Code Climate subset GitLab reads).
export interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: Finding['severity'];
  location: { path: string; lines: { begin: number } };
}

// Renders every finding as a Code Quality issue. The fingerprint hashes tool, rule, file and
// message (not the line, so that an edit above a finding does not make it "new" in a merge
// request) plus the occurrence number among identical findings, which keeps it unique.
export function renderCodeQuality(report: LintReport): CodeQualityIssue[] {
  const seen = new Map<string, number>();
  const issues: CodeQualityIssue[] = [];
  for (const outcome of report.outcomes) {
    for (const finding of outcome.findings) {
      const identity = [finding.tool, finding.rule, finding.file, finding.message].join('\u0000');
      const occurrence = (seen.get(identity) ?? 0) + 1;
      seen.set(identity, occurrence);
      issues.push({
        description: `${finding.tool}: ${finding.message}`,
        check_name: `${finding.tool}/${finding.rule}`,
        fingerprint: createHash('sha256').update(`${identity}\u0000${occurrence}`).digest('hex').slice(0, 32),
        severity: finding.severity,
        location: { path: finding.file, lines: { begin: finding.line } },
      });
    }
  }
  return issues;
}
