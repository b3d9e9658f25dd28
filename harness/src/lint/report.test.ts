import { parse, type TestSuites } from 'junit2json';
import { describe, expect, it } from 'vitest';
import type { LintConfigs } from './configs.ts';
import type { LintTarget } from './discover.ts';
import type { Finding, ToolOutcome } from './finding.ts';
import { renderCodeQuality } from './report-codequality.ts';
import { renderJunit } from './report-junit.ts';
import { formatSummary } from './report-summary.ts';
import { exitStatusOf, type LintReport } from './run-lint.ts';

const finding = (over: Partial<Finding>): Finding => ({
  tool: 'yamllint',
  file: 'a.yml',
  line: 1,
  rule: 'truthy',
  severity: 'major',
  message: 'truthy value should be one of [false, true]',
  ...over,
});

function report(outcomes: ToolOutcome[]): LintReport {
  return {
    root: '/repo',
    target: {} as LintTarget,
    configs: {} as LintConfigs,
    outcomes,
    notes: [],
    durationMs: 1234,
  };
}

const yamllint: ToolOutcome = {
  tool: 'yamllint',
  status: 'findings',
  findings: [
    finding({ line: 4 }),
    finding({ line: 9 }),
    finding({ file: 'b <&>.yml', message: 'say "<no>"' }),
  ],
  checked: ['a.yml', 'b <&>.yml', 'c.yml'],
  durationMs: 100,
};

describe('the lint reports', () => {
  it('gives identical findings distinct fingerprints that do not move with the line', () => {
    const before = renderCodeQuality(report([yamllint]));
    const moved = renderCodeQuality(
      report([{ ...yamllint, findings: yamllint.findings.map((f) => ({ ...f, line: f.line + 10 })) }]),
    );
    expect(new Set(before.map((i) => i.fingerprint)).size).toBe(3);
    expect(moved.map((i) => i.fingerprint)).toEqual(before.map((i) => i.fingerprint));
    expect(moved[0]?.location.lines.begin).toBe(14);
  });

  it('writes JUnit that a parser reads back: passing, failing, skipped and erroring test cases', async () => {
    const xml = renderJunit(
      report([
        yamllint,
        {
          tool: 'shellcheck',
          status: 'skipped',
          findings: [],
          checked: [],
          reason: 'no shell scripts found',
          durationMs: 0,
        },
        {
          tool: 'pycodestyle',
          status: 'failed',
          findings: [],
          checked: [],
          reason: 'pycodestyle could not run: x\ny',
          durationMs: 5,
        },
      ]),
    );
    const parsed = (await parse(xml)) as TestSuites;
    expect([parsed.tests, parsed.failures, parsed.errors]).toEqual([5, 2, 1]);
    const cases = parsed.testsuite?.[0]?.testcase ?? [];
    expect(cases.map((c) => [c.name, c.failure?.[0]?.message ?? 'pass'])).toEqual([
      ['a.yml', '2 findings'],
      ['b <&>.yml', '1 finding'],
      ['c.yml', 'pass'],
    ]);
    expect(cases[1]?.failure?.[0]?.inner).toBe('b <&>.yml:1  truthy  say "<no>"');
    expect(parsed.testsuite?.[1]?.testcase?.[0]?.skipped?.[0]?.message).toBe('no shell scripts found');
    expect(parsed.testsuite?.[2]?.testcase?.[0]?.error?.[0]?.message).toBe('pycodestyle could not run: x');
  });

  it('exits 2 when a tool could not run even if others found problems, else 1 for findings, else 0', () => {
    const failed: ToolOutcome = {
      tool: 'shellcheck',
      status: 'failed',
      findings: [],
      checked: [],
      durationMs: 0,
    };
    const clean: ToolOutcome = {
      tool: 'pycodestyle',
      status: 'clean',
      findings: [],
      checked: ['a.py'],
      durationMs: 0,
    };
    expect(exitStatusOf(report([yamllint, failed]))).toBe(2);
    expect(exitStatusOf(report([yamllint, clean]))).toBe(1);
    expect(exitStatusOf(report([clean]))).toBe(0);
    expect(formatSummary(report([yamllint, clean]))).toContain(
      '  a.yml:4  truthy  truthy value should be one of',
    );
  });
});
