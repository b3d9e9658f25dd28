import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MatrixError } from '../contracts/errors.ts';
import { repoRoot } from '../host/paths.ts';
import { loadMatrix } from '../matrix/load-matrix.ts';
import {
  loadSmall,
  readRepoFile,
  replaceOnce,
  shippedMatrixFile,
  smallMatrixFile,
} from '../matrix/test-helpers.ts';
import { generatePipelines } from './generate-pipelines.ts';
import { planShards } from './plan-shards.ts';
import { validateGitlabCi } from './test/gitlab-ci-schema.ts';

const goldenDir = path.join(repoRoot, 'harness/test/golden/pipelines');
const update = process.env.KVMATRIX_UPDATE_GOLDEN === '1';

// Golden files: the generated YAML is reviewed like code. After an intended change, regenerate
// with `KVMATRIX_UPDATE_GOLDEN=1 npx vitest run harness/src/pipeline` and review the diff.
async function expectGolden(name: string, content: string): Promise<void> {
  const file = path.join(goldenDir, name);
  if (update) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  expect(content, `${name} differs from its golden file`).toBe(await readFile(file, 'utf8'));
}

describe('generating child pipelines', () => {
  for (const tier of ['pr', 'nightly', 'smoke']) {
    it(`renders tier ${tier} of the fixture matrix exactly as its golden files`, async () => {
      const generated = generatePipelines(loadSmall(), { tierId: tier });
      for (const file of generated.files) await expectGolden(`${tier}/${file.name}`, file.content);
    });
  }

  it('renders a change selection with its reasons in the header', async () => {
    const generated = generatePipelines(loadSmall(), {
      tierId: 'pr',
      changedFiles: ['playbooks/upgrade.yml', 'README.md'],
    });
    expect(generated.cells.every((c) => c.scenario === 'upgrade')).toBe(true);
    await expectGolden('pr-changed/shard-1.yml', generated.files[0]?.content ?? '');
  });

  it('writes as many shards as the cells need and a dispatcher that triggers each of them', () => {
    const generated = generatePipelines(loadSmall(), { tierId: 'smoke' });
    expect(generated.files.map((f) => f.name)).toEqual(['shard-1.yml', 'dispatch.yml', 'plan.json']);
    const dispatch = parse(generated.files[1]?.content ?? '') as Record<string, Record<string, unknown>>;
    expect(dispatch['shard-files']?.needs).toEqual([{ pipeline: '$PARENT_PIPELINE_ID', job: 'generate' }]);
    expect(dispatch['matrix-shard-1']?.trigger).toEqual({
      include: [{ artifact: 'pipelines/shard-1.yml', job: 'shard-files' }],
      strategy: 'depend',
      forward: { yaml_variables: true, pipeline_variables: true },
    });
  });

  it('gives a change that affects no cell one shard with a no-op job', () => {
    const generated = generatePipelines(loadSmall(), { tierId: 'pr', changedFiles: ['docs/a.md'] });
    expect(generated.files.map((f) => f.name)).toEqual(['shard-1.yml', 'dispatch.yml', 'plan.json']);
    expect(Object.keys(parse(generated.files[0]?.content ?? ''))).toEqual([
      'stages',
      'variables',
      'no-cells',
    ]);
  });

  it('gives every cell job interruptible, a timeout, retry on exit code 3 only, artifacts always and teardown', () => {
    const generated = generatePipelines(loadSmall(), { tierId: 'nightly' });
    const jobs = Object.entries(
      parse(generated.files[0]?.content ?? '') as Record<string, Record<string, unknown>>,
    ).filter(([name]) => !['stages', 'variables'].includes(name));
    expect(jobs.length).toBeGreaterThan(0);
    for (const [, job] of jobs) {
      expect(job.interruptible).toBe(true);
      expect(job.timeout).toMatch(/^\d+m$/);
      expect(job.retry).toEqual({ max: 2, exit_codes: [3], when: ['script_failure'] });
      expect(job.artifacts).toMatchObject({ when: 'always', reports: { junit: 'artifacts/junit.xml' } });
      expect(job.after_script).toEqual(['npx kvmatrix down "$KVMATRIX_CELL" || true']);
    }
  });

  it('runs a quarantined cell alone with allow_failure and the issue URL', () => {
    const generated = generatePipelines(loadSmall(), { tierId: 'nightly' });
    const all = generated.files
      .filter((f) => f.name.endsWith('.yml'))
      .map((f) => f.content)
      .join('\n');
    expect(all).toContain(
      '# quarantined: https://gitlab.example.com/kvmatrix/-/issues/1 (flaky)\n' +
        'debian13-1.34-containerd-flannel-external-etcd-upgrade:\n',
    );
    const shard = generated.files.find((f) => f.content.includes('# quarantined'))?.content ?? '';
    const job = (parse(shard) as Record<string, Record<string, unknown>>)[
      'debian13-1.34-containerd-flannel-external-etcd-upgrade'
    ];
    expect(job?.allow_failure).toBe(true);
    expect(job?.variables).toEqual({
      KVMATRIX_CELL: 'debian13-1.34-containerd-flannel-external-etcd-upgrade',
      KVMATRIX_QUARANTINE_ISSUE: 'https://gitlab.example.com/kvmatrix/-/issues/1',
    });
  });

  it('shards a large tier evenly under the jobs-per-pipeline limit', () => {
    const matrix = loadSmall((t) => `${t}\npipeline: { jobsPerPipeline: 20 }\n`);
    const generated = generatePipelines(matrix, { tierId: 'nightly' });
    const plan = JSON.parse(generated.files.at(-1)?.content ?? '{}') as {
      shards: Array<{ cells: string[] }>;
    };
    expect(plan.shards.map((s) => s.cells.length)).toEqual([17, 17, 17, 16]);
    const dispatch = generated.files.find((f) => f.name === 'dispatch.yml')?.content ?? '';
    expect(dispatch.match(/^matrix-shard-\d+:$/gm)).toEqual([
      'matrix-shard-1:',
      'matrix-shard-2:',
      'matrix-shard-3:',
      'matrix-shard-4:',
    ]);
    expect(plan.shards.flatMap((s) => s.cells)).toEqual(matrix.cells.map((c) => c.name));
  });

  it('shards a tier of any size; only GitLab’s hierarchy limit refuses one, naming the setting', () => {
    const ok = loadMatrix(`${readRepoFile(smallMatrixFile)}\npipeline: { jobsPerPipeline: 1 }\n`, 'm.yaml');
    expect(
      generatePipelines(ok, { tierId: 'nightly' }).files.filter((f) => f.name.startsWith('shard-')),
    ).toHaveLength(67);
    const cells = Array.from({ length: 999 }, () => ok.cells[0] as (typeof ok.cells)[0]);
    expect(() => planShards(ok, cells, 'nightly')).toThrow(MatrixError);
    expect(() => planShards(ok, cells, 'nightly')).toThrow(
      /^m\.yaml:\d+:\d+ \(at pipeline\.jobsPerPipeline\): tier nightly has 999 cells; at 1 jobs per pipeline that needs 999 child pipelines, more than GitLab's 1000/,
    );
  });

  it('splits a parallel:matrix beyond 200 entries into several jobs', () => {
    // 4 x 3 x 3 x 3 x 3 = 324 deploy cells of one timeout.
    const axis = (name: string, n: number) =>
      `  ${name}:\n    values:\n${Array.from({ length: n }, (_, i) => `      v${i}: {}\n`).join('')}`;
    const text = [
      'version: 1',
      'pipeline: { jobsPerPipeline: 400 }',
      'axes:',
      axis('os', 4),
      axis('kubernetes', 3),
      axis('runtime', 3),
      axis('network', 3),
      '  layout:\n    values:\n      a: { nodes: [{ name: cp1, roles: [control-plane] }] }\n      b: { nodes: [{ name: cp1, roles: [control-plane] }] }\n      c: { nodes: [{ name: cp1, roles: [control-plane] }] }',
      'steps: { deploy: { kind: deploy, playbook: cluster.yml, checks: [apiserver] } }',
      'scenarios: { deploy: { steps: [deploy] } }',
      'tiers: { all: { strategy: product } }',
    ].join('\n');
    const generated = generatePipelines(loadMatrix(text, 'big.yaml'), { tierId: 'all' });
    const jobs = parse(generated.files[0]?.content ?? '') as Record<
      string,
      { parallel?: { matrix: Array<{ KVMATRIX_CELL: string[] }> } }
    >;
    expect(jobs['deploy-1']?.parallel?.matrix[0]?.KVMATRIX_CELL).toHaveLength(200);
    expect(jobs['deploy-2']?.parallel?.matrix[0]?.KVMATRIX_CELL).toHaveLength(124);
    expect(validateGitlabCi(jobs)).toEqual([]);
  });
});

describe('cell names in generated YAML', () => {
  it('read back exactly, quoted where YAML would read them as something else', () => {
    const text = readRepoFile(smallMatrixFile)
      .replace('      debian12: { vars:', '      "1e3": {}\n      "0x1F": {}\n      debian12: { vars:')
      .replace('  smoke: { strategy: cells, cells: [debian12-1.34-containerd-bridge-aio-deploy] }', '');
    const matrix = loadMatrix(text, 'tricky.yaml');
    const generated = generatePipelines(matrix, { tierId: 'nightly' });
    const names = generated.files
      .filter((f) => f.name.endsWith('.yml'))
      .flatMap((f) =>
        Object.values(
          parse(f.content) as Record<
            string,
            {
              parallel?: { matrix: Array<{ KVMATRIX_CELL: unknown[] }> };
              variables?: { KVMATRIX_CELL?: unknown };
            }
          >,
        ).flatMap((job) => [
          ...(job?.parallel?.matrix[0]?.KVMATRIX_CELL ?? []),
          ...(job?.variables?.KVMATRIX_CELL ? [job.variables.KVMATRIX_CELL] : []),
        ]),
      );
    expect([...names].sort()).toEqual(matrix.cells.map((c) => c.name).sort());
    expect(generated.files[0]?.content).toContain('- "1e3-1.33-containerd-bridge-aio-deploy"');
  });
});

describe('the shipped matrix and .gitlab-ci.yml against GitLab’s own CI schema', () => {
  const matrix = loadMatrix(readRepoFile(shippedMatrixFile), shippedMatrixFile);

  it('validates the parent .gitlab-ci.yml', () => {
    expect(validateGitlabCi(parse(readRepoFile('.gitlab-ci.yml')))).toEqual([]);
  });

  for (const tier of matrix.definition.tiers.map((t) => t.id)) {
    it(`validates every child pipeline of tier ${tier}`, () => {
      const generated = generatePipelines(matrix, { tierId: tier });
      for (const file of generated.files.filter((f) => f.name.endsWith('.yml'))) {
        expect(validateGitlabCi(parse(file.content)), `${tier}/${file.name}`).toEqual([]);
      }
    });
  }

  it('rejects what GitLab rejects (the schema check is not vacuous)', () => {
    const broken = replaceOnce(
      readRepoFile('.gitlab-ci.yml'),
      'generate:\n  stage: generate\n',
      'generate:\n  stage: generate\n  scirpt: []\n',
    );
    expect(validateGitlabCi(parse(broken)).join('\n')).toContain('scirpt');
    const badRetry = {
      job: { script: ['x'], retry: { max: 2, exit_codes: [3], when: ['script_failure_typo'] } },
    };
    expect(validateGitlabCi(badRetry)).not.toEqual([]);
  });
});
