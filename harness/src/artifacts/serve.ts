import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { KvError } from '../contracts/errors.ts';
import { cacheDir } from '../host/paths.ts';
import { claimPort } from '../host/ports.ts';
import { artifactDir, resolveRelease } from './build-artifacts.ts';
import { isRuntimeBuilt, resolveRuntimeRelease } from './build-runtime.ts';
import { type ArtifactManifest, readManifest } from './manifest.ts';
import { handleUpload, UPLOAD_PREFIX } from './mirror-uploads.ts';
import { registryStorage } from './push-images.ts';
import { startRegistry } from './registry.ts';
import { runtimeReleases } from './runtime-versions.ts';

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
  // Container runtimes built from Go modules to serve too, e.g. ['containerd2'] (served at
  // /containerd/v2.4.2/...; each must be built: kvmatrix artifacts build --runtime <id>).
  runtimes?: string[];
  // A shared mirror (.ci/mirror): also serve every version that is or becomes complete in the
  // cache, none required at start.
  all?: boolean;
  // Accept published sets from the pipeline's artifacts job with this bearer token
  // (artifacts/mirror-uploads.ts).
  uploadToken?: string;
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
    if (!isComplete(manifest)) {
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
  const served = new Set(versions);
  const allowed = async (version: string) => {
    if (served.has(version)) return true;
    if (!options.all || !/^\d+\.\d+\.\d+$/.test(version)) return false;
    if (!isComplete(await readManifest(path.join(root, 'kubernetes', `v${version}`)))) return false;
    served.add(version);
    return true;
  };
  // Runtime sets (`<folder>/v<version>`): the requested ones, and in a shared mirror any built one.
  const servedRuntimes = new Set<string>();
  for (const runtime of options.runtimes ?? []) {
    const release = resolveRuntimeRelease(runtime);
    if (!(await isRuntimeBuilt(release))) {
      throw new KvError(
        'NOT_FOUND',
        `${release.runtime} ${release.version} is not built in the artifact set`,
        {
          hint: `npx kvmatrix artifacts build --runtime ${release.runtime}`,
        },
      );
    }
    servedRuntimes.add(`${release.folder}/v${release.version}`);
  }
  const allowedSet = async (folder: string, version: string) => {
    if (folder === 'kubernetes') return allowed(version);
    const key = `${folder}/v${version}`;
    if (servedRuntimes.has(key)) return true;
    const release = runtimeReleases.find((r) => r.folder === folder && r.version === version);
    if (!options.all || !release || !(await isRuntimeBuilt(release))) return false;
    servedRuntimes.add(key);
    return true;
  };
  const server = http.createServer((request, response) => {
    const token = options.uploadToken;
    if (token && request.url?.startsWith(UPLOAD_PREFIX)) {
      void handleUpload(request, response, token, (version) => served.add(version));
      return;
    }
    void serveFile(root, allowedSet, request, response);
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
    versions: [...served],
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await registry.close();
    },
  };
}

// A version is servable once every image of its manifest is in the registry storage.
function isComplete(manifest: ArtifactManifest | undefined): manifest is ArtifactManifest {
  const images = Object.values(manifest?.images ?? {});
  return !!manifest && images.length > 0 && images.every((image) => image.pushed === image.sha256);
}

async function serveFile(
  root: string,
  allowed: (folder: string, version: string) => Promise<boolean>,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  const urlPath = decodeURIComponent(new URL(request.url ?? '/', 'http://mirror').pathname);
  const normalized = path.posix.normalize(urlPath);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const [, folder, version] = /^\/([a-z0-9-]+)\/v([^/]+)\//.exec(normalized) ?? [];
  if (!folder || !version || !(await allowed(folder, version)) || normalized.includes('/.')) {
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
