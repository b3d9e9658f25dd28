import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRepoFile, smallMatrixFile } from '../../matrix/test-helpers.ts';
import { runCli } from './capture-output.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: BEL and ESC are what the test looks for (a terminal acts on them).
const TERMINAL_CONTROL = /[\u0007\u001b]/;

// A real git repository holding the fixture matrix, with a commit to compare with.
describe('kvmatrix select --changed-from', () => {
  let repo: string;
  let matrix: string;
  const git = (...args: string[]) =>
    execa('git', ['-c', 'user.email=kvmatrix@example.com', '-c', 'user.name=kvmatrix', ...args], {
      cwd: repo,
    });

  beforeAll(async () => {
    repo = await mkdtemp(path.join(tmpdir(), 'kvmatrix-select-'));
    await mkdir(path.join(repo, 'matrix'));
    await mkdir(path.join(repo, 'playbooks'));
    matrix = path.join(repo, 'matrix', 'matrix.yaml');
    await writeFile(matrix, readRepoFile(smallMatrixFile));
    await writeFile(path.join(repo, 'playbooks', 'upgrade.yml'), '- hosts: all\n');
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'base');
  });
  afterAll(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  it('selects the cells the changed files affect, with the reason', async () => {
    await writeFile(path.join(repo, 'playbooks', 'upgrade.yml'), '- hosts: all\n  gather_facts: false\n');
    await git('commit', '-q', '-am', 'change the upgrade');
    const { code, stdout } = await runCli(['select', '--changed-from', 'HEAD~1', '--matrix', matrix]);
    const lines = stdout.trim().split('\n');
    expect(code).toBe(0);
    const cells = lines.filter((l) => !l.startsWith('#'));
    expect(cells.length).toBeGreaterThan(0);
    expect(cells.every((c) => c.endsWith('-upgrade'))).toBe(true);
    expect(lines.at(-1)).toMatch(
      /^# 1 changed file\(s\): 0 ignored, 1 by rules, 0 by the playbooks; the change affects \d+ of the tier's 67 candidate cells, covered by \d+ \(10 in the whole tier\)$/,
    );
  });

  it('selects the whole tier for an unknown (even untracked) file and says which', async () => {
    await writeFile(path.join(repo, 'new-tool.sh'), 'echo\n');
    const { stdout } = await runCli(['select', '--changed-from', 'HEAD', '--matrix', matrix, '--json']);
    const result = JSON.parse(stdout) as { wholeTier: boolean; cells: unknown[]; reasons: string[] };
    expect(result.wholeTier).toBe(true);
    expect(result.cells).toHaveLength(10);
    expect(result.reasons[0]).toMatch(
      /^new-tool\.sh matches no change-impact rule in .*: selecting the whole tier$/,
    );
  });

  it('explains an unknown ref with the usage status', async () => {
    const { code, stderr } = await runCli(['select', '--changed-from', 'no-such-ref', '--matrix', matrix]);
    expect(code).toBe(2);
    expect(stderr).toContain('cannot compare with "no-such-ref"');
    expect(stderr).toContain('hint: fetch the ref first');
  });

  it.each(['--help', '--output=/tmp/x', '-h'])(
    'refuses --changed-from=%s, which git would read as an option',
    async (ref) => {
      const { code, stderr } = await runCli(['select', `--changed-from=${ref}`, '--matrix', matrix]);
      expect(code).toBe(2);
      expect(stderr).toContain(`--changed-from "${ref}" is not a git ref`);
    },
  );

  it('escapes a ref with control characters in the message', async () => {
    const { code, stderr } = await runCli([
      'select',
      '--changed-from',
      'main\u001b]0;x\u0007',
      '--matrix',
      matrix,
    ]);
    expect(code).toBe(2);
    expect(stderr).not.toMatch(TERMINAL_CONTROL);
  });
});
