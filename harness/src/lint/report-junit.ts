import type { ToolOutcome } from './finding.ts';
import { formatFinding } from './report-summary.ts';
import type { LintReport } from './run-lint.ts';

// JUnit XML for GitLab's test report: a suite per tool, a test case per tool and file (failing
// when the file has findings), a test case with <error> for a tool that could not run, and one
// with <skipped> for a tool with nothing to check.
export function renderJunit(report: LintReport): string {
  const suites = report.outcomes.map(renderSuite);
  const count = (key: keyof Counts) => suites.reduce((sum, suite) => sum + suite.counts[key], 0);
  const time = (report.durationMs / 1000).toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kvmatrix lint" tests="${count('tests')}" failures="${count('failures')}" errors="${count('errors')}" skipped="${count('skipped')}" time="${time}">`,
    ...suites.map((s) => s.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function renderSuite(outcome: ToolOutcome): { xml: string; counts: Counts } {
  const counts: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  const cases: string[] = [];
  const classname = `lint.${outcome.tool}`;
  if (outcome.status === 'skipped' || outcome.status === 'failed') {
    counts.tests = 1;
    const body =
      outcome.status === 'skipped'
        ? `<skipped message="${attr(outcome.reason ?? '')}"/>`
        : `<error message="${attr(firstLine(outcome.reason ?? ''))}" type="${outcome.tool}">${text(outcome.reason ?? '')}</error>`;
    if (outcome.status === 'skipped') counts.skipped = 1;
    else counts.errors = 1;
    cases.push(
      `    <testcase classname="${classname}" name="${attr(outcome.tool)}" time="0">${body}</testcase>`,
    );
  } else {
    const byFile = new Map<string, typeof outcome.findings>();
    for (const file of outcome.checked) byFile.set(file, []);
    for (const finding of outcome.findings)
      byFile.set(finding.file, [...(byFile.get(finding.file) ?? []), finding]);
    for (const [file, findings] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) {
      counts.tests++;
      const head = `    <testcase classname="${classname}" name="${attr(file)}" file="${attr(file)}" time="0"`;
      if (findings.length === 0) {
        cases.push(`${head}/>`);
        continue;
      }
      counts.failures++;
      const message = findings.length === 1 ? '1 finding' : `${findings.length} findings`;
      const details = findings.map(formatFinding).join('\n');
      cases.push(
        `${head}><failure message="${message}" type="${outcome.tool}">${text(details)}</failure></testcase>`,
      );
    }
  }
  const time = (outcome.durationMs / 1000).toFixed(3);
  const xml = [
    `  <testsuite name="${outcome.tool}" tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" time="${time}">`,
    ...cases,
    '  </testsuite>',
  ].join('\n');
  return { xml, counts };
}

function firstLine(value: string): string {
  return value.split('\n')[0] ?? '';
}

// XML 1.0 cannot carry most control characters at all, escaped or not.
function clean(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');
}

function text(value: string): string {
  return clean(value).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function attr(value: string): string {
  return text(value).replaceAll('"', '&quot;').replaceAll('\n', '&#10;');
}
