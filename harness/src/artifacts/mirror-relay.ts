import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { isKvError, KvError } from '../contracts/errors.ts';
import { cacheDir } from '../host/paths.ts';
import { claimPort } from '../host/ports.ts';
import {
  fetchFromMirror,
  type MirrorFiles,
  type RemoteMirror,
  type TransferCounter,
} from './remote-mirror.ts';

// The run's mirror when a shared one is given: the same two endpoints the machines know (a file
// server and a plain-HTTP registry on the run network's gateway), relaying to the shared mirror.
// The local providers' machines reach nothing beyond the host, so they cannot use the shared
// mirror directly; the relay fetches only what they ask for, checks it, and keeps it in the
// job's cache. Files are checked against the set's manifest.json (sha256, size); registry blobs
// against their digest; image manifests are relayed only for references the set's manifest
// lists. Repositories the set does not hold (the checks' probe image, built by the job itself)
// come from the job's own read-only registry (`localRegistry`).

export interface MirrorRelayOptions {
  remote: RemoteMirror;
  files: MirrorFiles;
  host: string;
  filePort?: number;
  registryPort?: number;
  // host:port of the job's own registry, for repositories the shared set does not hold.
  localRegistry: string;
}

export interface MirrorRelay {
  filePort: number;
  registryPort: number;
  counter: TransferCounter;
  close(): Promise<void>;
}

export async function startMirrorRelay(options: MirrorRelayOptions): Promise<MirrorRelay> {
  const { files } = options;
  const references = new Set<string>();
  const repositories = new Set<string>();
  for (const manifest of files.manifests.values()) {
    for (const image of Object.values(manifest.images)) {
      references.add(image.reference);
      repositories.add(image.reference.replace(/:[^:/]+$/, ''));
    }
  }
  const blobs = new BlobCache(options.remote, files.counter);
  const fileServer = http.createServer((request, response) => {
    void serveRelayedFile(files, request, response).catch((error: unknown) => fail(response, error));
  });
  const registryServer = http.createServer((request, response) => {
    void relayRegistry(options, { references, repositories }, blobs, request, response).catch(
      (error: unknown) => fail(response, error),
    );
  });
  const filePort = await claimPort(options.filePort, 'the artifact relay');
  await listen(fileServer, filePort, options.host);
  const registryPort = await claimPort(options.registryPort, 'the registry relay');
  await listen(registryServer, registryPort, options.host).catch(async (error: unknown) => {
    await close(fileServer);
    throw error;
  });
  return {
    filePort,
    registryPort,
    counter: files.counter,
    close: async () => {
      await Promise.all([close(fileServer), close(registryServer)]);
    },
  };
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

// A failure reaches the machine as a status (502: the shared mirror failed, 404: not in the set)
// and the job's log through the relay's own error: the playbook then fails on that URL.
function fail(response: http.ServerResponse, error: unknown): void {
  const status = isKvError(error) && error.code === 'NOT_FOUND' ? 404 : 502;
  process.stderr.write(`kvmatrix: artifact relay: ${isKvError(error) ? error.message : String(error)}\n`);
  if (!response.headersSent) response.writeHead(status, { 'content-type': 'text/plain' });
  response.end(`${String(isKvError(error) ? error.message : error)}\n`);
}

async function serveRelayedFile(
  files: MirrorFiles,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const urlPath = path.posix.normalize(
    decodeURIComponent(new URL(request.url ?? '/', 'http://relay').pathname),
  );
  const match = /^\/kubernetes\/v([0-9][0-9.]*)\/(.+)$/.exec(urlPath);
  if (!match || urlPath.includes('/.') || !files.manifests.has(match[1] as string)) {
    response.writeHead(404).end('not found\n');
    return;
  }
  const [, version = '', relPath = ''] = match;
  const file =
    relPath === 'manifest.json'
      ? path.join(cacheDir('artifacts', 'kubernetes', `v${version}`), 'manifest.json')
      : await files.ensure(version, relPath);
  const info = await stat(file);
  response.writeHead(200, {
    'content-length': info.size,
    'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
  });
  if (request.method === 'HEAD') response.end();
  else createReadStream(file).pipe(response);
}

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

async function relayRegistry(
  options: MirrorRelayOptions,
  set: { references: Set<string>; repositories: Set<string> },
  blobs: BlobCache,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  const method = request.method ?? 'GET';
  const urlPath = new URL(request.url ?? '/', 'http://relay').pathname;
  if (method !== 'GET' && method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (urlPath === '/v2/' || urlPath === '/v2') {
    response.writeHead(200, {
      'docker-distribution-api-version': 'registry/2.0',
      'content-type': 'application/json',
    });
    response.end('{}');
    return;
  }
  const match = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(urlPath);
  if (!match) {
    response.writeHead(404).end();
    return;
  }
  const [, name = '', kind = '', ref = ''] = match;
  const shared = set.repositories.has(name);
  const upstream = shared ? options.remote.registry : options.localRegistry;
  if (kind === 'blobs') {
    if (!shared) return forward(`http://${upstream}${urlPath}`, request, response);
    const file = await blobs.ensure(name, ref);
    const info = await stat(file);
    response.writeHead(200, {
      'content-length': info.size,
      'content-type': 'application/octet-stream',
      'docker-content-digest': ref,
    });
    if (method === 'HEAD') response.end();
    else createReadStream(file).pipe(response);
    return;
  }
  if (!shared) return forward(`http://${upstream}${urlPath}`, request, response);
  if (!ref.startsWith('sha256:') && !set.references.has(`${name}:${ref}`)) {
    throw new KvError('NOT_FOUND', `${name}:${ref} is not an image of the artifact set`, {
      hint: 'the images a cell may pull are the `images` of the set manifest.json',
    });
  }
  const url = `http://${upstream}${urlPath}`;
  const upstreamResponse = await fetchFromMirror(url, `the image manifest ${name}:${ref}`, {
    headers: { accept: request.headers.accept ?? MANIFEST_ACCEPT },
  });
  const body = Buffer.from(await upstreamResponse.arrayBuffer());
  if (!upstreamResponse.ok) {
    response.writeHead(upstreamResponse.status === 404 ? 404 : 502).end(body);
    return;
  }
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  if (ref.startsWith('sha256:') && digest !== ref) {
    throw new KvError('IO', `the mirror's manifest ${name}@${ref} has the digest ${digest}`);
  }
  blobs.counter.manifests += 1;
  blobs.counter.manifestBytes += body.length;
  response.writeHead(200, {
    'content-type':
      upstreamResponse.headers.get('content-type') ?? 'application/vnd.oci.image.manifest.v1+json',
    'content-length': body.length,
    'docker-content-digest': digest,
    'docker-distribution-api-version': 'registry/2.0',
  });
  response.end(method === 'HEAD' ? undefined : body);
}

// Plain relay (the job's own registry on loopback).
async function forward(
  url: string,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  const upstream = await fetchFromMirror(url, 'the job registry', {
    method: request.method ?? 'GET',
    headers: request.headers.accept ? { accept: request.headers.accept } : {},
  });
  const headers: Record<string, string> = {};
  for (const key of [
    'content-type',
    'content-length',
    'docker-content-digest',
    'docker-distribution-api-version',
  ]) {
    const value = upstream.headers.get(key);
    if (value) headers[key] = value;
  }
  response.writeHead(upstream.status, headers);
  response.end(request.method === 'HEAD' ? undefined : Buffer.from(await upstream.arrayBuffer()));
}

// Registry blobs of the shared set, by digest, kept in the job's cache after one checked fetch.
class BlobCache {
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly dir = cacheDir('artifacts', 'relay-blobs');

  private readonly remote: RemoteMirror;
  readonly counter: TransferCounter;

  constructor(remote: RemoteMirror, counter: TransferCounter) {
    this.remote = remote;
    this.counter = counter;
  }

  ensure(name: string, digest: string): Promise<string> {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
      return Promise.reject(new KvError('NOT_FOUND', `blob ${digest} is not a sha256 digest`));
    }
    let running = this.inflight.get(digest);
    if (!running) {
      running = this.fetchOnce(name, digest).finally(() => this.inflight.delete(digest));
      this.inflight.set(digest, running);
    }
    return running;
  }

  private async fetchOnce(name: string, digest: string): Promise<string> {
    const file = path.join(this.dir, digest.replace(':', '-'));
    if (
      await stat(file).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      return file;
    const url = `http://${this.remote.registry}/v2/${name}/blobs/${digest}`;
    const response = await fetchFromMirror(url, `the image blob ${digest}`, {
      signal: AbortSignal.timeout(15 * 60_000),
    });
    if (!response.ok) {
      throw new KvError(
        response.status === 404 ? 'NOT_FOUND' : 'INFRASTRUCTURE',
        `${url} answered ${response.status}`,
      );
    }
    const body = Buffer.from(await response.arrayBuffer());
    const actual = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    if (actual !== digest) throw new KvError('IO', `${url}: the blob's content has the digest ${actual}`);
    this.counter.blobs += 1;
    this.counter.blobBytes += body.length;
    await mkdir(this.dir, { recursive: true });
    const partial = `${file}.part-${process.pid}`;
    await writeFile(partial, body);
    await rename(partial, file);
    return file;
  }
}

// The transfer report a cell job leaves beside its result.json (mirror-transfer.json).
export async function writeTransferReport(
  file: string,
  remote: RemoteMirror,
  counter: TransferCounter,
): Promise<void> {
  const total = counter.fileBytes + counter.blobBytes + counter.manifestBytes;
  await writeFile(file, `${JSON.stringify({ mirror: remote, ...counter, totalBytes: total }, null, 2)}\n`);
}
