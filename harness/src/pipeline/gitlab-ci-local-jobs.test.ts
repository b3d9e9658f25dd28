import { mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../host/paths.ts';
import { loadMatrix } from '../matrix/load-matrix.ts';
import { readRepoFile, shippedMatrixFile } from '../matrix/test-helpers.ts';
import { generatePipelines } from './generate-pipelines.ts';
import { makeCiCheckout, runGitlabJob, runGitlabJobWithRetry } from './test/ci-checkout.ts';

// Jobs of the real pipelines executed by gitlab-ci-local in a copy of this checkout, as a runner
// runs them (shell executor; the job image is what this machine is): the parent's generate job
// (and the dispatcher it writes), and a generated cell job whose shared mirror does not answer, which must
// exit 3 and be retried by its own retry rule, with its reports where GitLab collects them and
// its after_script's teardown run. The passing cell job is in the opt-in test below.

const CELL = 'debian12-1.34-containerd-bridge-aio-lifecycle';
let checkout: { dir: string; remove: () => Promise<void> };
let stateDir: string;

beforeAll(async () => {
  checkout = await makeCiCheckout();
  stateDir = await mkdtemp(path.join(tmpdir(), 'kvmatrix-ci-state-'));
}, 120_000);

afterAll(async () => {
  await checkout?.remove();
  await rm(stateDir, { recursive: true, force: true });
});

describe('the pipeline jobs, run by gitlab-ci-local', () => {
  it('the generate job writes the tier child pipelines as job artifacts', { timeout: 300_000 }, async () => {
    const run = await runGitlabJob(checkout.dir, 'generate', { variables: { KVMATRIX_TIER: 'local' } });
    expect(run.jobExitCode, run.output).toBe(0);
    const matrix = loadMatrix(readRepoFile(shippedMatrixFile), shippedMatrixFile);
    const expected = generatePipelines(matrix, { tierId: 'local' }).files;
    for (const file of expected) {
      const collected = path.join(
        checkout.dir,
        '.gitlab-ci-local',
        'artifacts',
        'generate',
        'pipelines',
        file.name,
      );
      expect(await readFile(collected, 'utf8'), file.name).toBe(file.content);
    }
  });

  it('the dispatcher the generate job wrote triggers exactly the shards it wrote', async () => {
    const dir = path.join(checkout.dir, '.gitlab-ci-local', 'artifacts', 'generate', 'pipelines');
    const shards = (await readdir(dir)).filter((f) => /^shard-\d+\.yml$/.test(f)).sort();
    const dispatch = await readFile(path.join(dir, 'dispatch.yml'), 'utf8');
    expect(shards.length).toBeGreaterThan(0);
    for (const shard of shards) expect(dispatch).toContain(`artifact: pipelines/${shard}`);
    expect(dispatch.match(/artifact: pipelines\/shard-/g)).toHaveLength(shards.length);
  });

  it('a cell job whose shared mirror does not answer exits 3, is retried by its rule, and tears down', {
    timeout: 600_000,
  }, async () => {
    const attempts = await runGitlabJobWithRetry(checkout.dir, `lifecycle: [${CELL}]`, {
      file: 'pipelines/shard-1.yml',
      variables: {
        KVMATRIX_PROVIDER: 'podman',
        KVMATRIX_ARTIFACT_URL: 'http://127.0.0.1:9',
        KVMATRIX_REGISTRY: '127.0.0.1:9',
        KVMATRIX_STATE_DIR: stateDir,
        KVMATRIX_VENV: path.join(repoRoot, '.venv'),
      },
    });
    expect(attempts.map((a) => a.jobExitCode)).toEqual([3, 3, 3]);
    const last = attempts.at(-1)?.output ?? '';
    expect(last).toContain('the artifact mirror did not answer');
    expect(last).toContain('npx kvmatrix down');
    expect(last).toContain(`nothing to tear down for ${CELL}`);
    // gitlab-ci-local keeps a job's artifacts under its name made safe for a path ("." and
    // ": [" are spelled out), so the folder is found by the parts of the name without them.
    const artifactsRoot = path.join(checkout.dir, '.gitlab-ci-local', 'artifacts');
    const jobDir = (await readdir(artifactsRoot)).find(
      (name) => name.startsWith('lifecycle') && name.includes('containerd-bridge-aio-lifecycle'),
    );
    expect(jobDir, `artifacts of the cell job in ${artifactsRoot}`).toBeDefined();
    const collected = path.join(artifactsRoot, jobDir ?? '');
    const record = JSON.parse(await readFile(path.join(collected, 'artifacts', 'result.json'), 'utf8')) as {
      outcome: string;
    };
    expect(record.outcome).toBe('infra-failed');
    expect(await readFile(path.join(collected, 'artifacts', 'junit.xml'), 'utf8')).toContain('<testsuite');
  });
});

// The whole cell job (about 10 minutes here): a shared mirror over this machine's artifact set
// (`npm run setup` built it), the job with an empty cache of its own (the golden node images are
// the runner's, linked in), then the same job with the mirror stopped.
describe.runIf(process.env.KVMATRIX_TEST_CI_CELL === '1')('a generated cell job of the local tier', () => {
  it('passes against the shared mirror, fetching only what the cell uses, then exits 3 without it', {
    timeout: 3_600_000,
  }, async () => {
    const { serveArtifacts } = await import('../artifacts/serve.ts');
    const { cacheDir } = await import('../host/paths.ts');
    const mirror = await serveArtifacts({ host: '127.0.0.1', versions: ['1.34'] });
    const jobCache = await mkdtemp(path.join(tmpdir(), 'kvmatrix-ci-cache-'));
    await symlink(cacheDir('images'), path.join(jobCache, 'images'));
    const variables = {
      KVMATRIX_PROVIDER: 'podman',
      KVMATRIX_ARTIFACT_URL: mirror.fileUrl,
      KVMATRIX_REGISTRY: mirror.registry,
      KVMATRIX_STATE_DIR: stateDir,
      KVMATRIX_CACHE_DIR: jobCache,
      KVMATRIX_VENV: path.join(repoRoot, '.venv'),
    };
    const job = `lifecycle: [${CELL}]`;
    try {
      const [passed] = await runGitlabJobWithRetry(checkout.dir, job, {
        file: 'pipelines/shard-1.yml',
        variables,
        timeoutMs: 3_000_000,
      });
      expect(passed?.jobExitCode, passed?.output.slice(-4000)).toBe(0);
      expect(passed?.output).toContain(`nothing to tear down for ${CELL}`);
      const collected = await cellJobArtifacts();
      const transfer = JSON.parse(await readFile(path.join(collected, 'mirror-transfer.json'), 'utf8')) as {
        totalBytes: number;
        files: number;
        blobs: number;
      };
      expect(transfer.files).toBeGreaterThan(0);
      expect(transfer.blobs).toBeGreaterThan(0);
      const record = JSON.parse(await readFile(path.join(collected, 'result.json'), 'utf8')) as {
        outcome: string;
      };
      expect(record.outcome).toBe('passed');
    } finally {
      await mirror.close();
    }
    const attempts = await runGitlabJobWithRetry(checkout.dir, job, {
      file: 'pipelines/shard-1.yml',
      variables,
    });
    expect(attempts.map((a) => a.jobExitCode)).toEqual([3, 3, 3]);
    await rm(jobCache, { recursive: true, force: true });
  });
});

async function cellJobArtifacts(): Promise<string> {
  const root = path.join(checkout.dir, '.gitlab-ci-local', 'artifacts');
  const dir = (await readdir(root)).find(
    (n) => n.startsWith('lifecycle') && n.includes('containerd-bridge-aio-lifecycle'),
  );
  return path.join(root, dir ?? 'missing', 'artifacts');
}
