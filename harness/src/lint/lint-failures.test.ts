import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, type TestSuites } from 'junit2json';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../cli/commands/capture-output.ts';
import { reportError } from '../cli/main.ts';
import { ToolMissingError } from '../contracts/errors.ts';
import { runLint } from './run-lint.ts';

const fixtures = fileURLToPath(new URL('./test/fixtures/', import.meta.url));

let scratch: string;
const savedPath = process.env.PATH;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'kvm-lint-test-'));
});
afterEach(() => {
  process.env.PATH = savedPath;
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

// A stand-in for a broken shellcheck: the real one cannot be made to crash on demand, so a
// script of that name, first on PATH, dies the way a broken binary would.
async function fakeShellcheck(body: string): Promise<string> {
  const dir = await mkdtemp(path.join(scratch, 'bin-'));
  const file = path.join(dir, 'shellcheck');
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return dir;
}

describe('kvmatrix lint when it cannot lint', () => {
  it('rejects a path that does not exist with a clear message and exit 2', async () => {
    const missing = path.join(scratch, 'no-such-repository');
    const { code, stdout, stderr } = await runCli(['lint', '--path', missing]);
    expect(code).toBe(2);
    expect(stderr).toContain(`kvmatrix: error: lint path ${missing} does not exist`);
    expect(stderr).toContain('hint: pass --path');
    expect(stdout).toBe('');
  });

  it('rejects a path that is a file, not a repository folder, with exit 2', async () => {
    const file = path.join(fixtures, 'no-ansible', 'README.md');
    const { code, stderr } = await runCli(['lint', '--path', file]);
    expect(code).toBe(2);
    expect(stderr).toContain(`kvmatrix: error: lint path ${file} is not a folder`);
  });

  it('rejects an unknown tool in --only and lists the known ones', async () => {
    const { code, stderr } = await runCli(['lint', '--path', fixtures, '--only', 'yamllint,pylint']);
    expect(code).toBe(2);
    expect(stderr).toContain('--only: unknown tool pylint');
    expect(stderr).toContain('ansible-lint, yamllint, shellcheck, syntax-check, pycodestyle, typescript');
  });

  it('says a repository has no Ansible, skips the Ansible tools and runs what applies', async () => {
    const { code, stdout } = await runCli(['lint', '--path', path.join(fixtures, 'no-ansible')]);
    expect(stdout).toContain('no Ansible in this repository: running the checks that apply');
    expect(stdout).toMatch(/^ansible-lint +skipped: no Ansible found \(no playbooks, no roles\)$/m);
    expect(stdout).toMatch(/^syntax-check +skipped: no entry playbooks found$/m);
    expect(stdout).toMatch(/^shellcheck +clean \(1 file/m);
    expect(code).toBe(0);
  });

  it.each([
    ['is killed by SIGSEGV', 'kill -SEGV $$', 'was killed by SIGSEGV'],
    [
      'exits 127',
      'echo "shellcheck: error while loading shared libraries" >&2; exit 127',
      'exited with status 127',
    ],
  ])('reports a tool that %s as unable to run, names it, and exits 2', async (_, body, how) => {
    const fakeBin = await fakeShellcheck(body);
    process.env.PATH = `${fakeBin}${path.delimiter}${savedPath}`;
    const junitFile = path.join(scratch, 'crash.xml');
    const { code, stdout, stderr } = await runCli([
      'lint',
      '--path',
      path.join(fixtures, 'shellcheck'),
      '--only',
      'shellcheck',
      '--junit',
      junitFile,
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain('kvmatrix: error: lint could not decide: shellcheck could not run');
    expect(stdout).toMatch(/^shellcheck +COULD NOT RUN$/m);
    expect(stdout).toContain(`shellcheck could not run: ${path.join(fakeBin, 'shellcheck')} ${how}`);
    expect(stdout).toContain('command: shellcheck --format=json1');
    const junit = (await parse(await readFile(junitFile, 'utf8'))) as TestSuites;
    expect(junit.errors).toBe(1);
    expect(junit.testsuite?.[0]?.testcase?.[0]?.error?.[0]?.message).toContain('shellcheck could not run');
  });

  it('stops before running anything when a tool is missing, naming it with the set-up hint', async () => {
    const emptyBin = await mkdtemp(path.join(scratch, 'empty-bin-'));
    const run = runLint({
      path: path.join(fixtures, 'yamllint'),
      only: ['yamllint'],
      env: { PATH: emptyBin },
    });
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolMissingError);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = reportError(error);
    const printed = stderr.mock.calls.map((call) => String(call[0])).join('');
    stderr.mockRestore();
    expect(code).toBe(2);
    expect(printed).toContain('kvmatrix: error: yamllint is not installed or not on PATH');
    expect(printed).toContain('hint: run `npm run setup`');
  });
});
