import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { loadMatrix } from '../matrix/load-matrix.ts';
import { readRepoFile, shippedMatrixFile } from '../matrix/test-helpers.ts';
import { generatePipelines } from './generate-pipelines.ts';
import { listJobsWithGitlabCiLocal } from './test/gitlab-ci-local.ts';

// gitlab-ci-local parses each file as GitLab would (schema, parallel:matrix expansion, needs)
// and lists its jobs; a file it cannot parse makes it exit non-zero. About 1-2 s a file, so
// identical files (the empty shards) are parsed once.
describe('gitlab-ci-local parses the parent and every generated child pipeline', () => {
  const matrix = loadMatrix(readRepoFile(shippedMatrixFile), shippedMatrixFile);
  const files = new Map<string, string>();
  files.set('.gitlab-ci.yml', readRepoFile('.gitlab-ci.yml'));
  const seenEmpty = new Set<boolean>();
  for (const tier of matrix.definition.tiers) {
    for (const file of generatePipelines(matrix, { tierId: tier.id }).files) {
      if (!file.name.endsWith('.yml')) continue;
      const empty = file.content.includes('\nno-cells:');
      if (empty && seenEmpty.has(true)) continue;
      if (empty) seenEmpty.add(true);
      files.set(`${tier.id}/${file.name}`, file.content);
    }
  }

  it('lists the jobs of each file without error', { timeout: 240_000 }, async () => {
    const limit = pLimit(2);
    const results = await Promise.all(
      [...files].map(([name, content]) =>
        limit(async () => ({ name, content, ...(await listJobsWithGitlabCiLocal(content)) })),
      ),
    );
    for (const r of results) {
      expect(r.exitCode, `${r.name}: ${r.stderr}${r.stdout}`.slice(0, 2000)).toBe(0);
      expect(r.stdout, r.name).toMatch(/^name\s+description\s+stage/m);
    }
    const parent = results.find((r) => r.name === '.gitlab-ci.yml');
    for (const job of ['lint', 'generate', 'matrix']) expect(parent?.stdout).toContain(job);
    const dispatch = results.find((r) => r.name === 'nightly/dispatch.yml');
    for (const job of ['shard-files', 'matrix-shard-1']) expect(dispatch?.stdout).toContain(job);
    const pr = results.find((r) => r.name === 'pr/shard-1.yml');
    const expected = generatePipelines(matrix, { tierId: 'pr' }).cells.map((c) => c.name);
    for (const cell of expected) expect(pr?.stdout, `pr cell ${cell}`).toContain(cell);
  });

  it('fails on a pipeline GitLab would reject (the check is not vacuous)', async () => {
    const result = await listJobsWithGitlabCiLocal('job:\n  script: [echo]\n  retry: { max: 7 }\n');
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr + result.stdout).toContain('job.retry.max');
  });
});
