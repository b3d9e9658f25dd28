import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { KvError } from '../contracts/errors.ts';
import { cacheDir } from '../host/paths.ts';
import { claimPort } from '../host/ports.ts';
import { artifactDir, resolveRelease } from './build-artifacts.ts';
import { readManifest } from './manifest.ts';
import { registryStorage } from './push-images.ts';
import { startRegistry } from './registry.ts';

// The offline mirror, as a data centre's would be: an HTTP file server over the artifact set
// (http://<host>:<port>/kubernetes/v<X.Y.Z>/bin/<name>, .../manifest.json, .../images/<name>.oci.tar)
// and a read-only docker-registry holding <registry>/kubernetes/<image>:<tag>. Nothing is built
// here: a version must have been built (`kvmatrix artifacts build`) first. close() stops both.

export interface ServeArtifactsOptions {
  host: string;
  filePort?: number;
  registryPort?: number;
  // Kubernetes versions to serve (minor or full), e.g. ['1.34', '1.33'].
  versions: string[];
}

export interface ServedArtifacts {
  // Base URL; a binary is at `${fileUrl}/kubernetes/v1.34.4/bin/kubelet`.
  fileUrl: string;
  // host:port of the plain-HTTP registry; images are `${registry}/kubernetes/<image>:<tag>`.
  registry: string;
  versions: string[];
  close(): Promise<void>;
}

export async function serveArtifacts(options: ServeArtifactsOptions): Promise<ServedArtifacts> {
  const versions: string[] = [];
  for (const requested of options.versions) {
    const release = resolveRelease(requested);
    const manifest = await readManifest(artifactDir(release.kubernetes));
    const images = Object.values(manifest?.images ?? {});
    if (!manifest || !images.length || images.some((image) => image.pushed !== image.sha256)) {
      throw new KvError(
        'NOT_FOUND',
        `the artifact set of Kubernetes ${release.kubernetes} is not built completely`,
        {
          hint: `npx kvmatrix artifacts build --kubernetes ${release.kubernetes}`,
        },
      );
    }
    versions.push(release.kubernetes);
  }
  const root = cacheDir('artifacts');
  const allowed = versions.map((version) => `/kubernetes/v${version}/`);
  const server = http.createServer((request, response) => {
    void serveFile(root, allowed, request, response);
  });
  const filePort = await claimPort(options.filePort, 'the artifact file server');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(filePort, options.host, resolve);
  });
  const registryPort = await claimPort(options.registryPort, 'the artifact registry');
  const registry = await startRegistry({
    storage: registryStorage(),
    host: options.host,
    port: registryPort,
    readonly: true,
  }).catch(async (error: unknown) => {
    await new Promise((resolve) => server.close(resolve));
    throw error;
  });
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    fileUrl: `http://${hostInUrl}:${filePort}`,
    registry: registry.address,
    versions,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await registry.close();
    },
  };
}

async function serveFile(
  root: string,
  allowed: string[],
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  const urlPath = decodeURIComponent(new URL(request.url ?? '/', 'http://mirror').pathname);
  const normalized = path.posix.normalize(urlPath);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (!allowed.some((prefix) => normalized.startsWith(prefix)) || normalized.includes('/.')) {
    response.writeHead(404).end('not found\n');
    return;
  }
  const file = path.join(root, normalized);
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    response.writeHead(404).end('not found\n');
    return;
  }
  response.writeHead(200, {
    'content-length': info.size,
    'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
    'last-modified': info.mtime.toUTCString(),
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  createReadStream(file).pipe(response);
}
