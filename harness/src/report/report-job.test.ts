import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadMatrix } from '../matrix/load-matrix.ts';
import { readRepoFile, shippedMatrixFile } from '../matrix/test-helpers.ts';
import { generatePipelines } from '../pipeline/generate-pipelines.ts';
import { listJobsWithGitlabCiLocal } from '../pipeline/test/gitlab-ci-local.ts';

type Job = Record<string, unknown>;

// The summary job of the parent pipeline: after every shard, whatever their outcome, it
// collects the cells' records through the API and posts the report.
describe('the report job of the parent .gitlab-ci.yml', () => {
  const text = readRepoFile('.gitlab-ci.yml');
  const parent = parse(text) as Record<string, Job>;
  const job = parent.report as Job;
  const script = ((job?.script ?? []) as string[]).join('\n');

  it('runs after every trigger job, even failed ones, with the plan from generate', () => {
    const triggers = Object.entries(parent)
      .filter(([, j]) => typeof j === 'object' && j !== null && 'trigger' in j)
      .map(([name]) => ({ job: name, artifacts: false }));
    expect(triggers.length).toBeGreaterThan(0);
    expect(job.stage).toBe('report');
    const stages = parent.stages as unknown as string[];
    expect(stages.indexOf('report')).toBeGreaterThan(stages.indexOf('cells'));
    expect(job.needs).toEqual([{ job: 'generate', artifacts: true }, ...triggers]);
    expect(job.when).toBe('always');
    expect(script).toMatch(/npx kvmatrix report --collect --results (\S+) --plan pipelines\/plan\.json/);
    expect(script).toContain('--post');
  });

  it('keeps the flake history in a cache and exposes the HTML report in the merge request', () => {
    const history = script.match(/--history (\S+)/)?.[1] as string;
    const html = script.match(/--html (\S+)/)?.[1] as string;
    const junit = script.match(/--junit (\S+)/)?.[1] as string;
    const caches = job.cache as Array<{ key: unknown; paths: string[] }>;
    expect(
      caches.some((c) => c.key === 'kvmatrix-flake-history' && c.paths.some((p) => history.startsWith(p))),
    ).toBe(true);
    const artifacts = job.artifacts as {
      expose_as: string;
      paths: string[];
      reports: { junit: string };
      when: string;
    };
    expect(artifacts.expose_as).toBeTruthy();
    expect(artifacts.paths[0]).toBe(html);
    expect(artifacts.paths).toContain(history);
    expect(artifacts.reports.junit).toBe(junit);
    expect(artifacts.when).toBe('always');
  });

  it('reads result.json where the generated cell jobs leave it', () => {
    const matrix = loadMatrix(readRepoFile(shippedMatrixFile), shippedMatrixFile);
    const shard = generatePipelines(matrix, { tierId: 'pr' }).files.find((f) => f.name === 'shard-1.yml');
    const child = parse(shard?.content ?? '') as Record<string, Job>;
    const cellJob = Object.values(child).find(
      (j) =>
        typeof j === 'object' && j !== null && 'script' in j && String(j.script).includes('kvmatrix run'),
    ) as Job;
    const runLine = (cellJob.script as string[]).join('\n');
    const outDir = runLine.match(/--(?:out|artifacts) (\S+)/)?.[1];
    const artifactPath = script.match(/--artifact-path (\S+)/)?.[1] ?? 'artifacts/result.json';
    expect(`${outDir}/result.json`).toBe(artifactPath);
    expect((cellJob.artifacts as { paths: string[] }).paths).toContain(`${outDir}/`);
  });

  it('passes gitlab-ci-local with the report job in it', { timeout: 60_000 }, async () => {
    const result = await listJobsWithGitlabCiLocal(text);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^report\s/m);
  });

  it('hands its collected records to the release gate, which runs only on tags', () => {
    const results = script.match(/--collect --results (\S+)/)?.[1] as string;
    const paths = (job.artifacts as { paths: string[] }).paths;
    expect(paths.some((p) => p.replace(/\/$/, '') === results)).toBe(true);
    const gate = parent['release-gate'] as Job;
    expect(gate.needs).toEqual([{ job: 'report', artifacts: true }]);
    expect(gate.rules).toEqual([{ if: '$CI_COMMIT_TAG' }]);
    const stages = parent.stages as unknown as string[];
    expect(stages.indexOf(gate.stage as string)).toBeGreaterThan(stages.indexOf('report'));
    const gateScript = (gate.script as string[]).join('\n');
    expect(gateScript).toContain(`npx kvmatrix gate --tier release --results ${results}`);
  });
});
