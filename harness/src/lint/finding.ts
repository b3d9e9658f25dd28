// The one shape every lint tool's output is parsed into, and the outcome of running one tool.
// All reports (terminal, JUnit, GitLab Code Quality) derive from these records.

export const LINT_TOOL_IDS = [
  'ansible-lint',
  'yamllint',
  'shellcheck',
  'syntax-check',
  'pycodestyle',
  'typescript',
] as const;

export type LintToolId = (typeof LINT_TOOL_IDS)[number];

// GitLab Code Quality's severities, so that the report needs no second mapping.
export type Severity = 'info' | 'minor' | 'major' | 'critical' | 'blocker';

export interface Finding {
  tool: LintToolId;
  // Relative to the linted repository's root, with forward slashes.
  file: string;
  // 1-based; 1 when the tool names no line.
  line: number;
  column?: number;
  rule: string;
  severity: Severity;
  message: string;
}

export type ToolStatus = 'clean' | 'findings' | 'skipped' | 'failed';

export interface ToolOutcome {
  tool: LintToolId;
  status: ToolStatus;
  findings: Finding[];
  // The files the tool was asked to check (relative); a passing JUnit test case each.
  checked: string[];
  // Why a tool was skipped (`no shell scripts found`) or why it could not run.
  reason?: string;
  durationMs: number;
}

export function isLintToolId(value: string): value is LintToolId {
  return (LINT_TOOL_IDS as readonly string[]).includes(value);
}

// Orders findings the way people read them: by file, then line, then column.
export function compareFindings(a: Finding, b: Finding): number {
  return (
    a.file.localeCompare(b.file) ||
    a.line - b.line ||
    (a.column ?? 0) - (b.column ?? 0) ||
    a.rule.localeCompare(b.rule)
  );
}
