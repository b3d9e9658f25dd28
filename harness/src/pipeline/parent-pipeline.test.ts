import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadMatrix } from '../matrix/load-matrix.ts';
import { readRepoFile, shippedMatrixFile } from '../matrix/test-helpers.ts';
import { generatePipelines } from './generate-pipelines.ts';
import { DISPATCH_FILE, GENERATE_JOB } from './render-dispatch-pipeline.ts';

type Job = Record<string, unknown>;

// The committed parent must trigger exactly the shards `kvmatrix generate` writes.
describe('the parent .gitlab-ci.yml', () => {
  const parent = parse(readRepoFile('.gitlab-ci.yml')) as Record<string, Job>;
  const matrix = loadMatrix(readRepoFile(shippedMatrixFile), shippedMatrixFile);

  it('has one depend trigger, of the dispatcher generate writes, passing its pipeline id down', () => {
    const triggers = Object.entries(parent).filter(
      ([, job]) => typeof job === 'object' && job && 'trigger' in job,
    );
    expect(triggers.map(([name]) => name)).toEqual(['matrix']);
    const job = triggers[0]?.[1] as Job;
    expect(job.trigger).toEqual({
      include: [{ artifact: `pipelines/${DISPATCH_FILE}`, job: GENERATE_JOB }],
      strategy: 'depend',
    });
    expect(job.variables).toEqual({ PARENT_PIPELINE_ID: '$CI_PIPELINE_ID' });
    expect(job.needs).toEqual(['lint', GENERATE_JOB, 'artifacts']);
    const generated = generatePipelines(matrix, { tierId: 'nightly' });
    const dispatch = parse(generated.files.find((f) => f.name === DISPATCH_FILE)?.content ?? '') as Record<
      string,
      Job
    >;
    const shardFiles = generated.files.filter((f) => f.name.startsWith('shard-')).map((f) => f.name);
    expect(Object.keys(dispatch).filter((k) => k.startsWith('matrix-shard-'))).toHaveLength(
      shardFiles.length,
    );
  });

  it('generates into the folder the triggers read, narrowing merge requests by their changes', () => {
    const script = ((parent.generate?.script ?? []) as string[]).join('\n');
    expect(script).toContain('npx kvmatrix generate --tier "$KVMATRIX_TIER" --out pipelines');
    expect(script).toContain('--changed-from "$KVMATRIX_CHANGED_FROM"');
    expect(parent.generate?.artifacts).toMatchObject({ paths: ['pipelines/'] });
  });

  it('runs for merge requests, the default branch, tags and schedules, and cancels interruptible jobs', () => {
    const workflow = parent.workflow as {
      rules: Array<{ if: string; variables?: Record<string, string> }>;
      auto_cancel: unknown;
    };
    expect(workflow.auto_cancel).toEqual({ on_new_commit: 'interruptible' });
    const tierFor = (needle: string) =>
      workflow.rules.find((r) => r.if.includes(needle) && r.variables)?.variables;
    expect(tierFor('merge_request_event')).toMatchObject({ KVMATRIX_TIER: 'pr' });
    expect(tierFor('schedule')).toMatchObject({ KVMATRIX_TIER: 'nightly' });
    expect(tierFor('CI_COMMIT_TAG')).toMatchObject({ KVMATRIX_TIER: 'release' });
    expect(tierFor('CI_DEFAULT_BRANCH')).toMatchObject({ KVMATRIX_TIER: 'pr' });
    for (const tier of ['pr', 'nightly', 'release'])
      expect(matrix.definition.tiers.map((t) => t.id)).toContain(tier);
  });

  it('runs every job in the CI job image and tells every job where the shared mirror is', () => {
    const variables = parent.variables as unknown as Record<string, string>;
    expect(variables.KVMATRIX_CI_IMAGE).toMatch(/^\$CI_REGISTRY_IMAGE\/kvmatrix-ci:[0-9a-f]{12}$/);
    expect((parent.default as Job).image).toBe('$KVMATRIX_CI_IMAGE');
    expect(matrix.definition.pipeline.image).toBe('$KVMATRIX_CI_IMAGE');
    expect(variables.KVMATRIX_ARTIFACT_URL).toMatch(/^http:\/\/\S+:\d+$/);
    expect(variables.KVMATRIX_REGISTRY).toMatch(/^\S+:\d+$/);
  });

  it('publishes the artifact set once per version, serialised, before any cell starts', () => {
    const job = parent.artifacts as Job;
    expect(job.resource_group).toBe('kvmatrix-artifacts');
    expect(job.needs).toEqual([]);
    expect((job.script as string[]).join('\n')).toContain(
      'npx kvmatrix artifacts publish -k $KVMATRIX_ARTIFACT_VERSIONS --to "$KVMATRIX_ARTIFACT_URL"',
    );
    expect(job.retry).toEqual({ max: 2, exit_codes: [3], when: ['script_failure'] });
  });

  it('has a lint stage whose job reports JUnit and code quality', () => {
    expect(parent.lint?.stage).toBe('lint');
    expect(((parent.lint?.script ?? []) as string[]).join('\n')).toMatch(
      /npx kvmatrix lint --junit \S+ --codequality \S+/,
    );
  });
});
