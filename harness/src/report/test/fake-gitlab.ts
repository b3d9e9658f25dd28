import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A stand-in for the GitLab REST API on loopback, for tests only: GitLab itself (Rails, Gitaly,
// PostgreSQL, Redis) cannot run on this machine. It answers exactly the endpoints kvmatrix uses,
// with bodies, status codes and pagination headers shaped as GitLab's API documentation gives
// them (doc/api/notes.md, doc/api/commits.md "Set the pipeline status of a commit",
// doc/api/jobs.md, doc/api/job_artifacts.md, doc/api/rest/index.md "Pagination").

export interface FakeNote {
  id: number;
  body: string;
  system: boolean;
  author: { id: number; username: string; name: string; state: string };
  created_at: string;
  updated_at: string;
  noteable_id: number;
  noteable_type: 'MergeRequest';
  noteable_iid: number;
  project_id: number;
  resolvable: boolean;
  confidential: boolean;
  internal: boolean;
}

export interface FakeStatus {
  id: number;
  sha: string;
  ref: string | null;
  status: string;
  name: string;
  target_url: string | null;
  description: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  allow_failure: boolean;
  coverage: number | null;
  author: { id: number; username: string; name: string; state: string; web_url: string; avatar_url: string };
}

export interface FakeJob {
  id: number;
  name: string;
  status: string;
  stage: string;
  web_url: string;
  pipelineId: number;
  artifacts: Record<string, string>;
}

export interface Injected {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoggedRequest {
  method: string;
  path: string;
  body: string;
  authorised: boolean;
}

const bot = { id: 77, username: 'project_5_bot_kvmatrix', name: 'kvmatrix', state: 'active' };

export class FakeGitLab {
  readonly token: string;
  readonly projectId = 5;
  readonly mergeRequestIid = 11;
  notes: FakeNote[] = [];
  statuses: FakeStatus[] = [];
  bridges: Array<{ id: number; name: string; pipelineId: number; downstream: number | null }> = [];
  jobs: FakeJob[] = [];
  requests: LoggedRequest[] = [];
  // Answers injected for the next requests matching "METHOD /path-regex".
  private injected: Array<{ method: string; path: RegExp; answer: Injected }> = [];
  private server: Server | undefined;
  private nextId = 1000;
  url = '';

  constructor(token: string) {
    this.token = token;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `500 Internal Server Error: ${String(error)}` }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return `${this.url}/api/v4`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  inject(method: string, path: RegExp, ...answers: Injected[]): void {
    for (const answer of answers) this.injected.push({ method, path, answer });
  }

  addHumanNotes(count: number): void {
    for (let i = 0; i < count; i += 1) {
      this.notes.push(
        this.note(i % 7 === 0 ? 'added 1 commit' : `review remark ${i}`, i % 7 === 0, {
          id: 3,
          username: 'reviewer',
          name: 'Rea Viewer',
          state: 'active',
        }),
      );
    }
  }

  private note(body: string, system: boolean, author = bot): FakeNote {
    const now = new Date().toISOString();
    return {
      id: this.nextId++,
      body,
      system,
      author,
      created_at: now,
      updated_at: now,
      noteable_id: 2,
      noteable_type: 'MergeRequest',
      noteable_iid: this.mergeRequestIid,
      project_id: this.projectId,
      resolvable: false,
      confidential: false,
      internal: false,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const authorised = req.headers['private-token'] === this.token;
    this.requests.push({ method, path: url.pathname + url.search, body: raw, authorised });

    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const index = this.injected.findIndex((i) => i.method === method && i.path.test(url.pathname));
    if (index >= 0) {
      const answer = this.injected.splice(index, 1)[0]?.answer as Injected;
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body ?? JSON.stringify({ message: `${answer.status}` }));
      return;
    }
    if (!authorised) return json(401, { message: '401 Unauthorized' });

    const params = (
      raw && req.headers['content-type']?.includes('json')
        ? JSON.parse(raw)
        : Object.fromEntries(url.searchParams)
    ) as Record<string, string>;
    const p = `/api/v4/projects/${this.projectId}`;
    const notesPath = `${p}/merge_requests/${this.mergeRequestIid}/notes`;
    const route = (verb: string, pattern: RegExp) => (method === verb ? url.pathname.match(pattern) : null);

    if (method === 'GET' && url.pathname === notesPath) return this.paginate(req, res, url, this.notes);
    if (method === 'POST' && url.pathname === notesPath) {
      if (!params.body) return json(400, { message: '400 Bad request - body is missing' });
      const note = this.note(params.body, false);
      this.notes.push(note);
      return json(201, note);
    }
    const noteEdit = route('PUT', new RegExp(`^${notesPath}/(\\d+)$`));
    if (noteEdit) {
      const m = noteEdit;
      const note = this.notes.find((n) => n.id === Number(m?.[1]));
      if (!note) return json(404, { message: '404 Not found' });
      note.body = params.body ?? note.body;
      note.updated_at = new Date().toISOString();
      return json(200, note);
    }
    const statusPost = route('POST', new RegExp(`^${p}/statuses/([0-9a-f]{7,40})$`));
    if (statusPost) {
      const m = statusPost;
      const state = params.state ?? '';
      if (!['pending', 'running', 'success', 'failed', 'canceled'].includes(state))
        return json(400, { message: 'state is missing' });
      const status: FakeStatus = {
        id: this.nextId++,
        sha: m[1] as string,
        ref: params.ref ?? null,
        status: state,
        name: params.name ?? 'default',
        target_url: params.target_url ?? null,
        description: params.description ?? null,
        created_at: new Date().toISOString(),
        started_at: null,
        finished_at: new Date().toISOString(),
        allow_failure: false,
        coverage: null,
        author: { ...bot, web_url: `${this.url}/${bot.username}`, avatar_url: '' },
      };
      this.statuses.push(status);
      return json(201, status);
    }
    const bridgeList = route('GET', new RegExp(`^${p}/pipelines/(\\d+)/bridges$`));
    if (bridgeList) {
      const m = bridgeList;
      const bridges = this.bridges
        .filter((b) => b.pipelineId === Number(m?.[1]))
        .map((b) => ({
          id: b.id,
          name: b.name,
          stage: 'matrix',
          status: 'success',
          web_url: `${this.url}/group/project/-/jobs/${b.id}`,
          pipeline: {
            id: b.pipelineId,
            project_id: this.projectId,
            ref: 'feature',
            sha: 'a'.repeat(40),
            status: 'running',
          },
          downstream_pipeline:
            b.downstream === null
              ? null
              : {
                  id: b.downstream,
                  sha: 'a'.repeat(40),
                  ref: 'feature',
                  status: 'success',
                  web_url: `${this.url}/group/project/-/pipelines/${b.downstream}`,
                },
        }));
      return this.paginate(req, res, url, bridges);
    }
    const jobList = route('GET', new RegExp(`^${p}/pipelines/(\\d+)/jobs$`));
    if (jobList) {
      const m = jobList;
      const includeRetried = url.searchParams.get('include_retried') === 'true';
      const all = this.jobs.filter((j) => j.pipelineId === Number(m?.[1]));
      const latest = all.filter((j) => includeRetried || !all.some((k) => k.name === j.name && k.id > j.id));
      const shaped = latest
        .sort((a, b) => b.id - a.id)
        .map((j) => ({
          id: j.id,
          name: j.name,
          stage: j.stage,
          status: j.status,
          web_url: j.web_url,
          pipeline: {
            id: j.pipelineId,
            project_id: this.projectId,
            ref: 'feature',
            sha: 'a'.repeat(40),
            status: 'failed',
          },
          artifacts:
            Object.keys(j.artifacts).length > 0
              ? [{ file_type: 'archive', size: 1000, filename: 'artifacts.zip', file_format: 'zip' }]
              : [],
        }));
      return this.paginate(req, res, url, shaped);
    }
    const artifactGet = route('GET', new RegExp(`^${p}/jobs/(\\d+)/artifacts/(.+)$`));
    if (artifactGet) {
      const m = artifactGet;
      const job = this.jobs.find((j) => j.id === Number(m?.[1]));
      const file = job?.artifacts[decodeURIComponent(m[2] as string)];
      if (file === undefined) return json(404, { message: '404 Not found' });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment' });
      res.end(file);
      return;
    }
    return json(404, { message: '404 Not Found' });
  }

  // Offset pagination as GitLab does it: per_page (default 20, max 100), page, and the x-* and
  // Link headers.
  private paginate(_req: IncomingMessage, res: ServerResponse, url: URL, items: unknown[]): void {
    const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 20));
    const page = Number(url.searchParams.get('page') ?? 1);
    const sorted = url.searchParams.get('sort') === 'desc' ? [...items].reverse() : items;
    const totalPages = Math.max(1, Math.ceil(sorted.length / perPage));
    const slice = sorted.slice((page - 1) * perPage, page * perPage);
    const link = (n: number) => {
      const u = new URL(url);
      u.searchParams.set('page', String(n));
      u.searchParams.set('per_page', String(perPage));
      return u.toString();
    };
    const links = [
      page < totalPages ? `<${link(page + 1)}>; rel="next"` : '',
      `<${link(1)}>; rel="first"`,
      `<${link(totalPages)}>; rel="last"`,
    ]
      .filter(Boolean)
      .join(', ');
    res.writeHead(200, {
      'content-type': 'application/json',
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-total': String(sorted.length),
      'x-total-pages': String(totalPages),
      'x-next-page': page < totalPages ? String(page + 1) : '',
      'x-prev-page': page > 1 ? String(page - 1) : '',
      link: links,
    });
    res.end(JSON.stringify(slice));
  }
}
