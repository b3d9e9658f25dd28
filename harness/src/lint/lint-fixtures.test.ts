import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, type TestSuites } from 'junit2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/commands/capture-output.ts';
import type { CodeQualityIssue } from './report-codequality.ts';

const fixtures = fileURLToPath(new URL('./test/fixtures/', import.meta.url));

interface KnownDefect {
  // The fixture repository under test/fixtures/.
  fixture: string;
  tool: string;
  file: string;
  line: number;
  column: number;
  rule: string;
  severity: string;
  message: string;
}

// Each fixture repository holds exactly one defect for its tool; the real tool must find exactly
// that one, and all three reports must say so.
const defects: KnownDefect[] = [
  {
    fixture: 'ansible-lint',
    tool: 'ansible-lint',
    file: 'playbooks/site.yml',
    line: 6,
    column: 7,
    rule: 'fqcn[action-core]',
    severity: 'major',
    message:
      'Use FQCN for builtin module actions (debug). (Use `ansible.builtin.debug` or `ansible.legacy.debug` instead.)',
  },
  {
    fixture: 'yamllint',
    tool: 'yamllint',
    file: 'settings.yml',
    line: 4,
    column: 12,
    rule: 'truthy',
    severity: 'major',
    message: 'truthy value should be one of [false, true]',
  },
  {
    fixture: 'shellcheck',
    tool: 'shellcheck',
    file: 'scripts/greet',
    line: 4,
    column: 12,
    rule: 'SC2086',
    severity: 'minor',
    message: 'Double quote to prevent globbing and word splitting.',
  },
  {
    fixture: 'syntax-check',
    tool: 'syntax-check',
    file: 'playbooks/site.yml',
    line: 5,
    column: 7,
    rule: 'syntax-check',
    severity: 'blocker',
    message:
      "couldn't resolve module/action 'ansible.builtin.no_such_module'. This often indicates a misspelling, " +
      'missing collection, or incorrect module path.',
  },
  {
    fixture: 'pycodestyle',
    tool: 'pycodestyle',
    file: 'library/demo_filter.py',
    line: 5,
    column: 18,
    rule: 'E231',
    severity: 'major',
    message: "missing whitespace after ','",
  },
  {
    fixture: 'typescript',
    tool: 'typescript',
    file: 'src/port.ts',
    line: 1,
    column: 14,
    rule: 'TS2322',
    severity: 'critical',
    message: "Type 'string' is not assignable to type 'number'.",
  },
  {
    fixture: 'typescript-biome',
    tool: 'typescript',
    file: 'src/stop.ts',
    line: 2,
    column: 3,
    rule: 'lint/suspicious/noDebugger',
    severity: 'major',
    message: 'This is an unexpected use of the debugger statement.',
  },
];

let out: string;
beforeAll(async () => {
  out = await mkdtemp(path.join(tmpdir(), 'kvm-lint-test-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('kvmatrix lint over a fixture repository with one known defect per tool', () => {
  it.each(defects)(
    '$tool reports exactly the one defect of fixture $fixture in the summary, JUnit and Code Quality files',
    { timeout: 180_000 },
    async (defect) => {
      const fixture = defect.fixture;
      const junitFile = path.join(out, `${fixture}.xml`);
      const codeQualityFile = path.join(out, `${fixture}.json`);
      const { code, stdout, stderr } = await runCli([
        'lint',
        '--path',
        path.join(fixtures, fixture),
        '--only',
        defect.tool,
        '--junit',
        junitFile,
        '--codequality',
        codeQualityFile,
      ]);

      expect(stderr).toContain(`kvmatrix: error: lint found problems (${defect.tool} 1)`);
      expect(code).toBe(1);
      const where = `${defect.file}:${defect.line}:${defect.column}`;
      const findingLines = stdout.split('\n').filter((line) => /^ {2}\S+:\d+/.test(line));
      expect(findingLines).toEqual([`  ${where}  ${defect.rule}  ${defect.message}`]);
      expect(stdout).toMatch(new RegExp(`^${defect.tool} +1 finding in 1 file`, 'm'));

      const junit = (await parse(await readFile(junitFile, 'utf8'))) as TestSuites;
      expect(junit.failures).toBe(1);
      expect(junit.errors).toBe(0);
      expect(junit.testsuite?.map((suite) => suite.name)).toEqual([defect.tool]);
      const failing = junit.testsuite?.[0]?.testcase?.filter((c) => c.failure !== undefined) ?? [];
      expect(failing.map((c) => [c.classname, c.name])).toEqual([[`lint.${defect.tool}`, defect.file]]);
      expect(failing[0]?.failure?.[0]?.message).toBe('1 finding');
      expect(failing[0]?.failure?.[0]?.inner).toBe(`${where}  ${defect.rule}  ${defect.message}`);

      const issues = JSON.parse(await readFile(codeQualityFile, 'utf8')) as CodeQualityIssue[];
      expect(issues).toEqual([
        {
          description: `${defect.tool}: ${defect.message}`,
          check_name: `${defect.tool}/${defect.rule}`,
          fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/),
          severity: defect.severity,
          location: { path: defect.file, lines: { begin: defect.line } },
        },
      ]);
    },
  );

  it("runs syntax-check from a nested Ansible project's folder, so that its ansible.cfg applies", async () => {
    const { code, stdout } = await runCli([
      'lint',
      '--path',
      path.join(fixtures, 'nested-project'),
      '--only',
      'syntax-check',
    ]);
    expect(stdout).toContain('Ansible project deploy/ (ansible.cfg): its tools run from there');
    expect(stdout).toMatch(/^syntax-check +clean \(1 file/m);
    expect(code).toBe(0);
  });

  it("honours the repository's own .yamllint over ours", async () => {
    const { code, stdout } = await runCli([
      'lint',
      '--path',
      path.join(fixtures, 'yamllint-own-config'),
      '--only',
      'yamllint',
    ]);
    expect(stdout).toContain("using the repository's own .yamllint");
    expect(stdout).toMatch(/^yamllint +clean \(1 file/m);
    expect(code).toBe(0);
  });
});
