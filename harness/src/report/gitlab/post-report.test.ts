import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderMarkdown } from '../render-markdown.ts';
import { REPORT_MARKER } from '../status-labels.ts';
import { FakeGitLab } from '../test/fake-gitlab.ts';
import { loadFixtureReport } from '../test/pipeline-fixture.ts';
import { createGitLabClient, type GitLabClient } from './gitlab-client.ts';
import { GitLabApiError } from './gitlab-error.ts';
import { postReport, upsertReportNote } from './post-report.ts';

// GitLab itself cannot run on this machine (it needs Rails, Gitaly, PostgreSQL and Redis and
// gigabytes of memory), so these tests talk HTTP to FakeGitLab on loopback, which answers the
// endpoints kvmatrix uses with bodies shaped as GitLab's API documentation gives them.

const TOKEN = 'glpat-kvmtest-Zq8xW3vN1pL5sT7u';
let gitlab: FakeGitLab;
let logs: string[];

async function client(
  token = TOKEN,
  policy = { retries: 3, baseDelayMs: 5, maxDelayMs: 2_000 },
): Promise<GitLabClient> {
  return createGitLabClient(
    {
      apiUrl: `${gitlab.url}/api/v4`,
      projectId: String(gitlab.projectId),
      mergeRequestIid: String(gitlab.mergeRequestIid),
      commitSha: '3f9c2a7e5b1d4c6a8e0f2b4d6c8a0e2f4b6d8c0a',
      ref: 'feature/cilium-1.16',
      token,
    },
    { policy, log: (line) => logs.push(line) },
  );
}

beforeEach(async () => {
  gitlab = new FakeGitLab(TOKEN);
  await gitlab.start();
  logs = [];
});
afterEach(async () => {
  await gitlab.stop();
});

describe('posting the report to a merge request', () => {
  it('creates the comment once and edits it on the next run, past a page of other notes', async () => {
    gitlab.addHumanNotes(120); // more than one page of 100: the marker note is on page 2
    const report = await loadFixtureReport();
    const c = await client();
    const first = await upsertReportNote(c, renderMarkdown(report));
    expect(first.action).toBe('created');
    const again = await upsertReportNote(
      c,
      renderMarkdown({ ...report, generatedAt: '2026-11-20T11:00:00.000Z' }),
    );
    expect(again).toEqual({ action: 'updated', noteId: first.noteId });
    const ours = gitlab.notes.filter((n) => n.body.includes(REPORT_MARKER));
    expect(ours).toHaveLength(1);
    expect(ours[0]?.body).toContain('Updated 2026-11-20T11:00:00.000Z');
    expect(gitlab.notes).toHaveLength(121);
    expect(
      gitlab.requests
        .filter((r) => r.method === 'GET' && r.path.includes('/notes'))
        .some((r) => r.path.includes('page=2')),
    ).toBe(true);
  });

  it('sets one commit status per cell, quarantined as success and missing as failed', async () => {
    const report = await loadFixtureReport();
    const result = await postReport(await client(), report, { markdown: renderMarkdown(report) });
    expect(result.statuses).toBe(36);
    expect(gitlab.statuses).toHaveLength(36);
    const byName = new Map(gitlab.statuses.map((s) => [s.name, s]));
    expect(byName.get('kvmatrix/ubuntu-24.04-1.34.4-containerd-cilium-ha-3cp-deploy')).toMatchObject({
      status: 'failed',
      ref: 'feature/cilium-1.16',
      sha: '3f9c2a7e5b1d4c6a8e0f2b4d6c8a0e2f4b6d8c0a',
    });
    expect(byName.get('kvmatrix/ubuntu-24.04-1.34.4-containerd-cilium-ha-3cp-deploy')?.description).toMatch(
      /^failed: deploy\/pod-network: pod kvmatrix-probe-7d9/,
    );
    expect(byName.get('kvmatrix/rocky-9-1.34.4-containerd-cilium-ha-3cp-deploy')?.status).toBe('success');
    expect(byName.get('kvmatrix/rocky-9-1.34.4-crio-cilium-single-upgrade')?.status).toBe('failed');
    expect(byName.get('kvmatrix/rocky-9-1.34.4-crio-cilium-single-upgrade')?.description).toMatch(/^missing/);
  });

  it('retries a 429, honouring Retry-After, and then succeeds', async () => {
    gitlab.inject('POST', /\/notes$/, {
      status: 429,
      headers: { 'retry-after': '1' },
      body: 'Retry later\n',
    });
    const report = await loadFixtureReport();
    const started = Date.now();
    const result = await upsertReportNote(await client(), renderMarkdown(report));
    expect(result.action).toBe('created');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(gitlab.requests.filter((r) => r.method === 'POST').length).toBe(2);
    expect(logs.join('\n')).toMatch(
      /GitLab answered 429 to POST \/api\/v4\/projects\/5\/merge_requests\/11\/notes; retrying in 1\.0s/,
    );
  });

  it('retries 5xx answers with backoff and gives up with an infrastructure error', async () => {
    const fail = { status: 503, body: JSON.stringify({ message: '503 Service Unavailable' }) };
    gitlab.inject('GET', /\/notes$/, fail, fail, fail, fail);
    const error = await upsertReportNote(await client(), renderMarkdown(await loadFixtureReport())).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GitLabApiError);
    expect((error as GitLabApiError).exitCode).toBe(3);
    expect((error as GitLabApiError).message).toContain('after 4 attempts');
    expect(logs.filter((l) => l.includes('GitLab answered 503'))).toHaveLength(3);
  });

  it('turns a 401 into a clear message naming the variable to set, without retrying', async () => {
    const error = await upsertReportNote(await client('glpat-wrong-token-0000'), `${REPORT_MARKER}\nx`).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GitLabApiError);
    const kv = error as GitLabApiError;
    expect(kv.message).toBe(
      'GitLab answered 401 Unauthorized to GET /api/v4/projects/5/merge_requests/11/notes: 401 Unauthorized',
    );
    expect(kv.hint).toContain('set KVMATRIX_GITLAB_TOKEN to a valid project access token');
    expect(kv.exitCode).toBe(2);
    expect(gitlab.requests).toHaveLength(1);
  });

  it('masks the token even when GitLab echoes it back in an error', async () => {
    gitlab.inject('GET', /\/notes$/, {
      status: 400,
      body: JSON.stringify({ message: `bad header PRIVATE-TOKEN: ${TOKEN}` }),
    });
    const error = (await upsertReportNote(await client(), `${REPORT_MARKER}\nx`).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error.message).toContain('bad header PRIVATE-TOKEN: [MASKED]');
    expect(JSON.stringify(error)).not.toContain(TOKEN);
    expect(String(error.cause ?? '')).not.toContain(TOKEN);
    expect(logs.join('\n')).not.toContain(TOKEN);
  });
});
