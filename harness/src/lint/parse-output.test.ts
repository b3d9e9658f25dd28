import { describe, expect, it } from 'vitest';
import { parseAnsibleLintCodeclimate } from './ansible-lint.ts';
import { parsePycodestyle } from './pycodestyle.ts';
import { parseShellcheckJson1 } from './shellcheck.ts';
import { parseSyntaxCheckError } from './syntax-check.ts';
import { parseBiomeGithub, parseTscOutput } from './typescript.ts';
import { parseYamllintParsable } from './yamllint.ts';

const root = '/repo';

describe('reading the tools’ machine-readable output', () => {
  it('reads ansible-lint codeclimate issues with either lines or positions', () => {
    const stdout = JSON.stringify([
      {
        check_name: 'no-changed-when',
        severity: 'major',
        description: 'Commands should not change things if nothing needs doing.',
        content: { body: 'Task/Handler: Run a thing' },
        location: { path: 'playbooks/site.yml', lines: { begin: 5 } },
      },
      {
        check_name: 'fqcn[action-core]',
        severity: 'weird',
        description: 'Use FQCN.',
        location: { path: '/repo/roles/x/tasks/main.yml', positions: { begin: { line: 6, column: 7 } } },
      },
    ]);
    expect(parseAnsibleLintCodeclimate(stdout, root)).toEqual([
      {
        tool: 'ansible-lint',
        file: 'playbooks/site.yml',
        line: 5,
        rule: 'no-changed-when',
        severity: 'major',
        message: 'Commands should not change things if nothing needs doing. (Task/Handler: Run a thing)',
      },
      {
        tool: 'ansible-lint',
        file: 'roles/x/tasks/main.yml',
        line: 6,
        column: 7,
        rule: 'fqcn[action-core]',
        severity: 'major',
        message: 'Use FQCN.',
      },
    ]);
    expect(parseAnsibleLintCodeclimate('', root)).toEqual([]);
    expect(() => parseAnsibleLintCodeclimate('Traceback (most recent call last):', root)).toThrow();
  });

  it('reads yamllint parsable lines, syntax errors included, and ignores anything else', () => {
    const stdout = [
      './a.yml:3:1: [error] syntax error: mapping values are not allowed here (syntax)',
      'b.yml:1:1: [warning] missing document start "---" (document-start)',
      'some stray line',
    ].join('\n');
    expect(parseYamllintParsable(stdout, root).map((f) => [f.file, f.line, f.rule, f.severity])).toEqual([
      ['a.yml', 3, 'syntax', 'major'],
      ['b.yml', 1, 'document-start', 'minor'],
    ]);
  });

  it('reads shellcheck json1 and refuses output that is not json1', () => {
    const stdout = JSON.stringify({
      comments: [{ file: 'x.sh', line: 2, column: 6, level: 'error', code: 2086, message: 'Quote it.' }],
    });
    expect(parseShellcheckJson1(stdout, root)).toEqual([
      {
        tool: 'shellcheck',
        file: 'x.sh',
        line: 2,
        column: 6,
        rule: 'SC2086',
        severity: 'critical',
        message: 'Quote it.',
      },
    ]);
    expect(() => parseShellcheckJson1('[]', root)).toThrow(/comments/);
  });

  it('reads pycodestyle lines and grades syntax errors above style', () => {
    const stdout = 'lib/a.py:1:1: E902 TokenError: EOF\nlib/a.py:2:80: W291 trailing whitespace\n';
    expect(parsePycodestyle(stdout, root).map((f) => [f.rule, f.severity])).toEqual([
      ['E902', 'critical'],
      ['W291', 'minor'],
    ]);
  });

  it('reads an Ansible error even when Ansible wrapped its lines', () => {
    const output = [
      '[WARNING]: No inventory was parsed, only implicit localhost is available',
      "ERROR! the role 'nope' was not found in /repo/playbooks/roles:/root/.ansible/roles",
      '',
      "The error appears to be in '/repo/playbooks/site.yml': line 2, column 11, but may",
      'be elsewhere in the file depending on the exact syntax problem.',
    ].join('\n');
    expect(parseSyntaxCheckError(output, 'playbooks/site.yml', root)).toEqual({
      tool: 'syntax-check',
      file: 'playbooks/site.yml',
      line: 2,
      column: 11,
      rule: 'syntax-check',
      severity: 'blocker',
      message: "the role 'nope' was not found in /repo/playbooks/roles:/root/.ansible/roles",
    });
    expect(parseSyntaxCheckError('ERROR! A malformed block was encountered.', 'p.yml', root)).toMatchObject({
      file: 'p.yml',
      line: 1,
      message: 'A malformed block was encountered.',
    });
    expect(parseSyntaxCheckError('Traceback (most recent call last):', 'p.yml', root)).toBeUndefined();
  });

  it('reads tsc diagnostics, their continuation lines and project-wide errors', () => {
    const stdout = [
      "src/a.ts(3,5): error TS2322: Type 'string' is not assignable to type 'number'.",
      "  Type 'x' is not assignable.",
      "error TS5083: Cannot read file '/repo/base.json'.",
    ].join('\n');
    expect(parseTscOutput(stdout, root)).toEqual([
      {
        tool: 'typescript',
        file: 'src/a.ts',
        line: 3,
        column: 5,
        rule: 'TS2322',
        severity: 'critical',
        message: "Type 'string' is not assignable to type 'number'. Type 'x' is not assignable.",
      },
      {
        tool: 'typescript',
        file: 'tsconfig.json',
        line: 1,
        rule: 'TS5083',
        severity: 'critical',
        message: "Cannot read file '/repo/base.json'.",
      },
    ]);
  });

  it('reads biome’s GitHub reporter and undoes its escaping', () => {
    const stdout =
      '::error title=lint/style/useConst,file=/repo/src/a.ts,line=2,endLine=2,col=1,endColumn=4::Use const%2C not let%3A it is never reassigned.\n' +
      'check ━━━━\n';
    expect(parseBiomeGithub(stdout, root)).toEqual([
      {
        tool: 'typescript',
        file: 'src/a.ts',
        line: 2,
        column: 1,
        rule: 'lint/style/useConst',
        severity: 'major',
        message: 'Use const, not let: it is never reassigned.',
      },
    ]);
  });
});
