import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../../host/paths.ts';
import { REPORT_MARKER } from '../../report/status-labels.ts';
import { FakeGitLab } from '../../report/test/fake-gitlab.ts';
import { fixturePlan, fixtureResults } from '../../report/test/pipeline-fixture.ts';

// The real `kvmatrix report` process against FakeGitLab on loopback: GitLab itself cannot run on
// this machine, so the stand-in answers the documented notes, statuses, jobs and artifacts
// endpoints. Every byte the process prints is checked for the token.

const TOKEN = 'glpat-kvmcli-8Hq2Rm5Xv9Lc3Pw7';
const kvmatrix = path.join(repoRoot, 'harness', 'bin', 'kvmatrix.ts');
const node = path.join(repoRoot, 'node_modules', '.bin', 'node');
let gitlab: FakeGitLab;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'kvm-report-cli-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});
beforeEach(async () => {
  gitlab = new FakeGitLab(TOKEN);
  await gitlab.start();
});
afterEach(async () => {
  await gitlab.stop();
});

function ciEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    CI: 'true',
    CI_API_V4_URL: `${gitlab.url}/api/v4`,
    CI_PROJECT_ID: String(gitlab.projectId),
    CI_MERGE_REQUEST_IID: String(gitlab.mergeRequestIid),
    CI_COMMIT_SHA: '3f9c2a7e5b1d4c6a8e0f2b4d6c8a0e2f4b6d8c0a',
    CI_COMMIT_REF_NAME: 'feature/cilium-1.16',
    CI_PIPELINE_ID: '415000',
    CI_JOB_URL: 'https://gitlab.example.com/infra/kubernetes-deploy/-/jobs/8820000',
    CI_PROJECT_DIR: work,
    KVMATRIX_GITLAB_TOKEN: TOKEN,
    ...extra,
  };
}

async function report(args: string[], env: Record<string, string>) {
  const result = await execa(node, [kvmatrix, 'report', ...args], {
    cwd: work,
    env,
    extendEnv: false,
    reject: false,
  });
  const printed = `${result.stdout}\n${result.stderr}`;
  expect(printed).not.toContain(TOKEN);
  return { code: result.exitCode, printed };
}

describe('kvmatrix report --post', () => {
  it('creates the comment once, edits it on the next run, and sets a status per cell', {
    timeout: 180_000,
  }, async () => {
    gitlab.addHumanNotes(5);
    const args = [
      '-r',
      fixtureResults,
      '--plan',
      fixturePlan,
      '--html',
      'out/matrix.html',
      '--history',
      'out/history.json',
      '--post',
    ];
    const first = await report(args, ciEnv());
    expect(first.code, first.printed).toBe(0);
    expect(first.printed).toMatch(/created the kvmatrix comment \(note \d+\) on merge request !11/);
    const second = await report(args, ciEnv());
    expect(second.code, second.printed).toBe(0);
    expect(second.printed).toMatch(/updated the kvmatrix comment \(note \d+\) on merge request !11/);
    const ours = gitlab.notes.filter((n) => n.body.startsWith(REPORT_MARKER));
    expect(ours).toHaveLength(1);
    expect(ours[0]?.body).toContain(
      '[Open the matrix report](https://gitlab.example.com/infra/kubernetes-deploy/-/jobs/8820000/artifacts/file/out/matrix.html)',
    );
    expect(new Set(gitlab.statuses.map((s) => s.name)).size).toBe(36);
    expect(gitlab.statuses.every((s) => s.ref === 'feature/cilium-1.16')).toBe(true);
    const posted = gitlab.requests.filter((r) => r.method === 'POST' && r.path.includes('/statuses/'));
    expect(posted.every((r) => JSON.parse(r.body).pipeline_id === 415000)).toBe(true);
    const written = await Promise.all(
      ['out/matrix.html', 'out/history.json'].map((f) => readFile(path.join(work, f), 'utf8')),
    );
    for (const text of written) expect(text).not.toContain(TOKEN);
  });

  it('retries a 429 and still posts', { timeout: 180_000 }, async () => {
    gitlab.inject('GET', /\/notes$/, { status: 429, headers: { 'retry-after': '1' }, body: 'Retry later' });
    const { code, printed } = await report(
      ['-r', fixtureResults, '--plan', fixturePlan, '--post', '--no-statuses'],
      ciEnv(),
    );
    expect(code, printed).toBe(0);
    expect(printed).toContain(
      'GitLab answered 429 to GET /api/v4/projects/5/merge_requests/11/notes; retrying in 1.0s',
    );
    expect(gitlab.notes.filter((n) => n.body.startsWith(REPORT_MARKER))).toHaveLength(1);
  });

  it('stops at a 401 with a message naming KVMATRIX_GITLAB_TOKEN, even in debug mode', {
    timeout: 180_000,
  }, async () => {
    const env = ciEnv({ KVMATRIX_GITLAB_TOKEN: `${TOKEN}-revoked`, KVMATRIX_DEBUG: '1' });
    const result = await execa(node, [kvmatrix, 'report', '-r', fixtureResults, '--post'], {
      cwd: work,
      env,
      extendEnv: false,
      reject: false,
    });
    const printed = `${result.stdout}\n${result.stderr}`;
    expect(result.exitCode).toBe(2);
    expect(printed).toContain(
      'kvmatrix: error: GitLab answered 401 Unauthorized to GET /api/v4/projects/5/merge_requests/11/notes',
    );
    expect(printed).toContain('hint: set KVMATRIX_GITLAB_TOKEN to a valid project access token');
    expect(printed).not.toContain(`${TOKEN}-revoked`);
    expect(printed).not.toContain(TOKEN);
  });

  it('refuses to post without the token variable, naming it', async () => {
    const env = ciEnv();
    delete env.KVMATRIX_GITLAB_TOKEN;
    const { code, printed } = await report(['-r', fixtureResults, '--post'], env);
    expect(code).toBe(2);
    expect(printed).toContain('--post needs a GitLab token in KVMATRIX_GITLAB_TOKEN, which is not set');
  });
});

describe('kvmatrix report --collect', () => {
  it('fetches result.json of every child job, retried attempts included, and reports missing cells', {
    timeout: 180_000,
  }, async () => {
    const source = path.join(work, 'source');
    await cp(fixtureResults, source, { recursive: true });
    const { loadResultRecords } = await import('../../report/io/load-results.ts');
    const { records } = await loadResultRecords([source]);
    gitlab.bridges.push(
      { id: 1, name: 'matrix-shard-1', pipelineId: 415000, downstream: 415001 },
      { id: 2, name: 'matrix-shard-2', pipelineId: 415000, downstream: 415002 },
      { id: 3, name: 'matrix-shard-3', pipelineId: 415000, downstream: null },
    );
    records.forEach((record, i) => {
      gitlab.jobs.push({
        id: Number(record.ci?.jobId),
        name: `${record.scenario}: [${record.cell}]`,
        status: record.outcome === 'passed' ? 'success' : 'failed',
        stage: 'cells',
        web_url: record.ci?.jobUrl ?? '',
        pipelineId: i % 2 === 0 ? 415001 : 415002,
        artifacts: { 'artifacts/result.json': JSON.stringify(record) },
      });
    });
    // A job whose artifacts lack result.json (it died before writing it).
    gitlab.jobs.push({
      id: 9,
      name: 'deploy: [lost]',
      status: 'failed',
      stage: 'cells',
      web_url: 'https://x/-/jobs/9',
      pipelineId: 415001,
      artifacts: { 'artifacts/run.log': 'x' },
    });
    await mkdir(path.join(work, 'collected'), { recursive: true });
    const { code, printed } = await report(
      ['--collect', '-r', 'collected', '--plan', fixturePlan, '--json', 'collected-report.json', '--strict'],
      ciEnv(),
    );
    expect(code, printed).toBe(1);
    expect(printed).toContain(
      'collected 37 result records from 38 jobs with artifacts in 2 child pipelines of pipeline 415000',
    );
    expect(printed).toContain('job deploy: [lost] has no artifacts/result.json');
    const merged = JSON.parse(await readFile(path.join(work, 'collected-report.json'), 'utf8'));
    expect(merged.counts).toMatchObject({ passed: 27, failed: 3, flaky: 1, 'infra-retried': 1, missing: 2 });
  });
});

describe('kvmatrix report input errors', () => {
  it('names the file and the field of a record that is not one', async () => {
    const bad = path.join(work, 'bad', 'result.json');
    await mkdir(path.dirname(bad), { recursive: true });
    await writeFile(
      bad,
      JSON.stringify({ schemaVersion: 1, cell: 'x', axes: {}, scenario: 'deploy', outcome: 'passed' }),
    );
    const { code, printed } = await report(['-r', path.dirname(bad)], {});
    expect(code).toBe(2);
    expect(printed).toContain(
      `kvmatrix: error: ${bad}: not a kvmatrix result record: (top level): missing field "startedAt"`,
    );
    expect(printed).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('refuses a results folder that does not exist (a typo is not "every cell is missing")', async () => {
    const missing = path.join(work, 'no-such-folder');
    const { code, printed } = await report(['-r', missing], {});
    expect(code).toBe(2);
    expect(printed).toContain(`"${missing}": no such file or folder of result records`);
  });

  it('still accepts a glob that matches nothing', async () => {
    const { code } = await report(['-r', path.join(work, 'nothing-*', 'result.json')], {});
    expect(code).toBe(0);
  });
});
