import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { ApiError } from './api-error.ts';
import type { RequestCounter } from './request-counter.ts';

// Where a resource lives in the REST API.
export interface ResourceType {
  group: string; // '' for the core group
  version: string;
  plural: string;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  limit?: number;
  continue?: string;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, unknown>;
}

export interface KubeList<T> {
  metadata: { resourceVersion: string; continue?: string };
  items: T[];
}

const jsonMergePatch = 'application/merge-patch+json';

// A small REST client over one keep-alive HTTPS agent. @kubernetes/client-node's KubeConfig
// supplies the TLS material and credentials (kubeconfig files, in-cluster service accounts, exec
// plugins); this class adds what the generated clients lack for a controller: one connection pool,
// raw JSON with string timestamps, resourceVersion preconditions, watches and request counting.
export class KubeClient {
  readonly server: URL;
  readonly counter: RequestCounter | undefined;
  private readonly kubeConfig: KubeConfig;
  private agent: https.Agent | undefined;
  private headers: Record<string, string> = {};
  private authAppliedAt = 0;
  private readonly userAgent: string;

  constructor(kubeConfig: KubeConfig, options: { userAgent?: string; counter?: RequestCounter } = {}) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
    this.kubeConfig = kubeConfig;
    this.counter = options.counter;
    this.userAgent = options.userAgent ?? 'kvmatrix-operator';
  }

  // Re-reads credentials every minute so that rotated service-account tokens are picked up.
  private async prepare(): Promise<https.Agent> {
    const now = Date.now();
    if (this.agent && now - this.authAppliedAt < 60_000) return this.agent;
    const opts: https.RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(opts);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(opts.headers ?? {}))
      if (value !== undefined) headers[key] = String(value);
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    this.headers = headers;
    if (!this.agent) {
      this.agent = new https.Agent({
        keepAlive: true,
        maxSockets: 64,
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        rejectUnauthorized: opts.rejectUnauthorized ?? true,
        servername: opts.servername,
      });
    }
    this.authAppliedAt = now;
    return this.agent;
  }

  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  path(type: ResourceType, namespace?: string, name?: string, subresource?: string): string {
    let p = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
    if (namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
    p += `/${type.plural}`;
    if (name) p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
    return p;
  }

  async request<T>(
    method: string,
    path: string,
    options: {
      query?: Record<string, string | number | boolean | undefined>;
      body?: unknown;
      contentType?: string;
    } = {},
  ): Promise<T> {
    const agent = await this.prepare();
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(options.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    this.counter?.count(method, path);
    return await new Promise<T>((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          agent,
          headers: {
            ...this.headers,
            Accept: 'application/json',
            'User-Agent': this.userAgent,
            // Node sends no chunked encoding for DELETE: without a length the body would be read
            // as the start of the next request on the kept-alive connection.
            ...(body === undefined
              ? {}
              : {
                  'Content-Type': options.contentType ?? 'application/json',
                  'Content-Length': Buffer.byteLength(body),
                }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              try {
                resolve((text ? JSON.parse(text) : {}) as T);
              } catch (error) {
                reject(
                  new ApiError(method, path, status, { message: `unparsable response: ${String(error)}` }),
                );
              }
              return;
            }
            let parsed: { reason?: string; message?: string } = {};
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = { message: text.slice(0, 500) };
            }
            reject(new ApiError(method, path, status, parsed));
          });
          res.on('error', reject);
        },
      );
      req.on('error', (error) => reject(new ApiError(method, path, 0, { message: error.message }, error)));
      req.setTimeout(60_000, () => req.destroy(new Error('request timed out after 60 s')));
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  get<T>(type: ResourceType, namespace: string | undefined, name: string): Promise<T> {
    return this.request<T>('GET', this.path(type, namespace, name));
  }

  list<T>(
    type: ResourceType,
    namespace: string | undefined,
    options: ListOptions = {},
  ): Promise<KubeList<T>> {
    return this.request<KubeList<T>>('GET', this.path(type, namespace), { query: { ...options } });
  }

  create<T>(type: ResourceType, namespace: string | undefined, body: unknown): Promise<T> {
    return this.request<T>('POST', this.path(type, namespace), { body });
  }

  // PUT: the body's metadata.resourceVersion is the precondition (409 Conflict if stale).
  update<T>(type: ResourceType, namespace: string | undefined, name: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', this.path(type, namespace, name), { body });
  }

  // JSON merge patch; a metadata.resourceVersion inside the patch makes it conditional.
  patch<T>(type: ResourceType, namespace: string | undefined, name: string, patch: unknown): Promise<T> {
    return this.request<T>('PATCH', this.path(type, namespace, name), {
      body: patch,
      contentType: jsonMergePatch,
    });
  }

  patchStatus<T>(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: unknown,
  ): Promise<T> {
    return this.request<T>('PATCH', this.path(type, namespace, name, 'status'), {
      body: patch,
      contentType: jsonMergePatch,
    });
  }

  updateStatus<T>(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
  ): Promise<T> {
    return this.request<T>('PUT', this.path(type, namespace, name, 'status'), { body });
  }

  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options: { propagationPolicy?: 'Background' | 'Foreground' | 'Orphan' } = {},
  ): Promise<unknown> {
    return this.request('DELETE', this.path(type, namespace, name), {
      body: { kind: 'DeleteOptions', apiVersion: 'v1', ...options },
    });
  }

  // Streams watch events until the server closes the stream, the signal aborts, or an error
  // occurs. Resolves on a clean end; the caller decides whether to re-list or resume.
  async watch(
    type: ResourceType,
    namespace: string | undefined,
    options: ListOptions & { allowWatchBookmarks?: boolean; timeoutSeconds?: number },
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const agent = await this.prepare();
    const path = this.path(type, namespace);
    const url = new URL(path, this.server);
    url.searchParams.set('watch', 'true');
    for (const [k, v] of Object.entries(options)) if (v !== undefined) url.searchParams.set(k, String(v));
    this.counter?.count('WATCH', path);
    await new Promise<void>((resolve, reject) => {
      const req = https.request(url, {
        method: 'GET',
        agent,
        signal,
        headers: { ...this.headers, Accept: 'application/json' },
      });
      req.on('response', (res) => {
        if ((res.statusCode ?? 0) >= 300) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            let parsed: { reason?: string; message?: string } = {};
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {}
            reject(new ApiError('WATCH', path, res.statusCode ?? 0, parsed));
          });
          return;
        }
        let buffered = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          let newline = buffered.indexOf('\n');
          while (newline >= 0) {
            const line = buffered.slice(0, newline).trim();
            buffered = buffered.slice(newline + 1);
            if (line) {
              try {
                onEvent(JSON.parse(line) as WatchEvent);
              } catch (error) {
                req.destroy(error as Error);
                return;
              }
            }
            newline = buffered.indexOf('\n');
          }
        });
        res.on('end', () => resolve());
        res.on('error', (error) => (signal.aborted ? resolve() : reject(error)));
      });
      req.on('error', (error) => (signal.aborted ? resolve() : reject(error)));
      req.end();
    });
  }
}
