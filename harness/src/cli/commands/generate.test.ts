import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRepoFile, replaceOnce, smallMatrixFile } from '../../matrix/test-helpers.ts';
import { runCli } from './capture-output.ts';

function generate(tier: string, out: string, matrix: string) {
  return runCli(['generate', '--tier', tier, '--out', out, '--matrix', matrix]);
}

describe('kvmatrix generate', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kvmatrix-generate-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every shard and the plan, and prints their paths', async () => {
    const out = path.join(dir, 'pipelines');
    const { code, stdout, stderr } = await generate('pr', out, smallMatrixFile);
    expect(code).toBe(0);
    const names = ['shard-1.yml', 'dispatch.yml', 'plan.json'];
    expect(stdout.trim().split('\n')).toEqual(names.map((n) => path.join(out, n)));
    expect((await readdir(out)).sort()).toEqual([...names].sort());
    expect(await readFile(path.join(out, 'shard-1.yml'), 'utf8')).toBe(
      readRepoFile('harness/test/golden/pipelines/pr/shard-1.yml'),
    );
    expect(stderr).toContain('tier pr (pairwise): 10 of 67 cells');
  });

  it('fails fast on an output folder procfs refuses (it once spun a core forever)', {
    timeout: 10_000,
  }, async () => {
    const { code, stderr } = await generate('pr', '/proc/kvmatrix-out/x', smallMatrixFile);
    expect(code).toBe(2);
    expect(stderr).toContain('cannot create the output folder /proc/kvmatrix-out/x');
  });

  it('writes nothing when the matrix is bad, and keeps what was there', async () => {
    await writeFile(path.join(dir, 'shard-1.yml'), 'previous\n');
    const { code, stderr } = await generate('pr', dir, 'harness/test/fixtures/matrix/bad-step.yaml');
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad-step\.yaml:\d+:\d+ \(at scenarios\.deploy\.steps\[0\]\)/);
    expect(await readdir(dir)).toEqual(['shard-1.yml']);
    expect(await readFile(path.join(dir, 'shard-1.yml'), 'utf8')).toBe('previous\n');
  });

  const badInputs: Array<[string, (text: string) => string, RegExp]> = [
    [
      'malformed YAML',
      (t) => replaceOnce(t, '  pr: { strategy: pairwise }', '  pr: { strategy: pairwise'),
      /:\d+:\d+: the file is not valid YAML/,
    ],
    [
      'an unknown axis value',
      (t) => replaceOnce(t, '  - { os: debian13, runtime: crio }', '  - { os: debian11, runtime: crio }'),
      /:\d+:\d+ \(at exclude\[0\]\.os\): unknown value "debian11" for axis "os"/,
    ],
    [
      'a duplicate cell name',
      (t) =>
        replaceOnce(
          t,
          'runtime: crio, network: bridge, layout: aio',
          'runtime: containerd, network: bridge, layout: aio',
        ),
      /:\d+:\d+ \(at include\[0\]\): duplicate cell name/,
    ],
    [
      'a scenario naming an unknown step',
      (t) => replaceOnce(t, 'steps: [deploy, add-worker]', 'steps: [deploy, add-wroker]'),
      /:\d+:\d+ \(at scenarios\.scale-worker\.steps\[1\]\): unknown step "add-wroker"/,
    ],
    [
      'a step naming an unknown playbook',
      (t) => replaceOnce(t, 'playbook: scale.yml', 'playbook: grow.yml'),
      /:\d+:\d+ \(at steps\.add-worker\.playbook\): "grow\.yml" is not allowed/,
    ],
    [
      'a tier that selects nothing',
      (t) =>
        replaceOnce(
          t,
          '  pr: { strategy: pairwise }',
          '  pr: { strategy: pairwise, where: { os: debian13, runtime: crio, layout: 1cp-1w } }',
        ),
      /:\d+:\d+ \(at tiers\.pr\): tier "pr" selects no cell/,
    ],
  ];
  for (const [what, edit, message] of badInputs) {
    it(`fails on ${what} with one located message, status 2 and no output`, async () => {
      const matrix = path.join(dir, 'matrix.yaml');
      await writeFile(matrix, edit(readRepoFile(smallMatrixFile)));
      const out = path.join(dir, 'out');
      const { code, stdout, stderr } = await generate('pr', out, matrix);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      const lines = stderr.trim().split('\n');
      expect(lines[0]).toMatch(/^kvmatrix: error: \S*matrix\.yaml:/);
      expect(lines[0]).toMatch(message);
      expect(lines.slice(1).every((l) => l.startsWith('  hint: '))).toBe(true);
      expect(await readdir(dir)).toEqual(['matrix.yaml']);
    });
  }

  it('writes nothing when the tier cannot be generated', async () => {
    const matrix = path.join(dir, 'm.yaml');
    await writeFile(matrix, `${readRepoFile(smallMatrixFile)}\npipeline: { jobsPerPipeline: 5 }\n`);
    const out = path.join(dir, 'out');
    const { code, stderr } = await generate('no-such-tier', out, matrix);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown tier "no-such-tier"');
    expect(await readdir(dir)).toEqual(['m.yaml']);
  });

  it('leaves no temporary file behind when the folder cannot be written', async () => {
    const out = path.join(dir, 'not-a-folder');
    await writeFile(out, 'a file\n');
    const { code, stderr } = await generate('pr', out, smallMatrixFile);
    expect(code).toBe(2);
    expect(stderr).toContain(`cannot create the output folder ${out}: ENOTDIR`);
    expect(await readdir(dir)).toEqual(['not-a-folder']);
  });

  it('rejects an unknown tier with the usage status', async () => {
    const { code, stderr } = await generate('weekly', dir, smallMatrixFile);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown tier "weekly"');
    expect(await readdir(dir)).toEqual([]);
  });
});
