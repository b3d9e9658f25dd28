import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InfrastructureError, KvError, UsageError } from '../contracts/errors.ts';
import { artifactDir, resolveRelease } from './build-artifacts.ts';
import { type ArtifactManifest, hashFile, readManifest, writeManifest } from './manifest.ts';

// A shared artifact mirror (`kvmatrix artifacts serve` as a Deployment + Service, .ci/mirror),
// named to a cell job by KVMATRIX_ARTIFACT_URL (its file server) and KVMATRIX_REGISTRY (its
// registry, host:port). A job fetches only what its cell uses, each file checked against the
// set's manifest.json, into its own cache in the layout of a local build, so everything that
// reads the local set (kubectl for the checks, the e2e tools) works unchanged.

export interface RemoteMirror {
  fileUrl: string;
  registry: string;
}

export const ARTIFACT_URL_VARIABLE = 'KVMATRIX_ARTIFACT_URL';
export const REGISTRY_VARIABLE = 'KVMATRIX_REGISTRY';

// The mirror named by the environment, or undefined (then the run serves its own local set).
export function remoteMirrorFromEnv(env: NodeJS.ProcessEnv = process.env): RemoteMirror | undefined {
  const url = env[ARTIFACT_URL_VARIABLE]?.trim() ?? '';
  const registry = env[REGISTRY_VARIABLE]?.trim() ?? '';
  if (!url && !registry) return undefined;
  if (!url || !registry) {
    throw new UsageError(
      `${url ? REGISTRY_VARIABLE : ARTIFACT_URL_VARIABLE} is not set while ${url ? ARTIFACT_URL_VARIABLE : REGISTRY_VARIABLE} is`,
      { hint: `set both (the mirror's file server URL and its registry host:port) or neither` },
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${ARTIFACT_URL_VARIABLE}="${url}" is not a URL`, {
      hint: 'expected http://<host>:<port>, e.g. http://kvmatrix-mirror.kvmatrix.svc:8080',
    });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`${ARTIFACT_URL_VARIABLE}="${url}" is not an http(s) URL`, {
      hint: 'expected http://<host>:<port>',
    });
  }
  if (!/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(registry)) {
    throw new UsageError(`${REGISTRY_VARIABLE}="${registry}" is not host:port`, {
      hint: 'expected the mirror registry as containerd names it, e.g. kvmatrix-mirror.kvmatrix.svc:5000',
    });
  }
  return { fileUrl: url.replace(/\/+$/, ''), registry };
}

// Bytes fetched from the mirror, by kind, for the job's transfer report.
export interface TransferCounter {
  files: number;
  fileBytes: number;
  blobs: number;
  blobBytes: number;
  manifests: number;
  manifestBytes: number;
}

export function newTransferCounter(): TransferCounter {
  return { files: 0, fileBytes: 0, blobs: 0, blobBytes: 0, manifests: 0, manifestBytes: 0 };
}

function unreachable(what: string, url: string, error: unknown): InfrastructureError {
  return new InfrastructureError(
    `the artifact mirror did not answer for ${what} (${url}): ${String(error)}`,
    {
      hint: `is the mirror up? curl ${url}; ${ARTIFACT_URL_VARIABLE} and ${REGISTRY_VARIABLE} name it`,
      cause: error,
    },
  );
}

export async function fetchFromMirror(url: string, what: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(60_000) });
  } catch (error) {
    throw unreachable(what, url, error);
  }
}

// The version's manifest.json from the mirror, checked against this checkout's pins
// (versions.ts): a mirror that serves other companion versions is a configuration error.
export async function fetchRemoteManifest(mirror: RemoteMirror, version: string): Promise<ArtifactManifest> {
  const release = resolveRelease(version);
  const url = `${mirror.fileUrl}/kubernetes/v${release.kubernetes}/manifest.json`;
  const response = await fetchFromMirror(url, `the manifest of Kubernetes ${release.kubernetes}`);
  if (response.status === 404) {
    throw new KvError(
      'NOT_FOUND',
      `the artifact mirror ${mirror.fileUrl} has no Kubernetes ${release.kubernetes}`,
      {
        hint: `publish it: npx kvmatrix artifacts publish -k ${release.kubernetes} --to ${mirror.fileUrl} (the pipeline's artifacts job)`,
      },
    );
  }
  if (!response.ok) {
    throw new InfrastructureError(`the artifact mirror answered ${response.status} for ${url}`, {
      hint: 'see the mirror pod log (kubectl logs deploy/kvmatrix-mirror)',
    });
  }
  const manifest = (await response.json().catch(() => undefined)) as ArtifactManifest | undefined;
  checkManifestPins(manifest, release.kubernetes, url);
  return manifest as ArtifactManifest;
}

// A manifest is usable when its schema, version and every pinned companion version match.
export function checkManifestPins(
  manifest: ArtifactManifest | undefined,
  version: string,
  where: string,
): void {
  const release = resolveRelease(version);
  if (manifest?.schema !== 1 || manifest.kubernetes !== release.kubernetes) {
    throw new KvError(
      'USAGE',
      `${where} is not the manifest of Kubernetes ${release.kubernetes} (schema 1)`,
      {
        hint: 'republish the set: npx kvmatrix artifacts publish',
      },
    );
  }
  const differing = Object.entries(release)
    .filter(
      ([key, value]) =>
        JSON.stringify(manifest.release?.[key as keyof typeof release]) !== JSON.stringify(value),
    )
    .map(
      ([key, value]) =>
        `${key} ${JSON.stringify(manifest.release?.[key as keyof typeof release])} (expected ${JSON.stringify(value)})`,
    );
  if (differing.length) {
    throw new KvError(
      'USAGE',
      `${where} pins other versions than harness/src/artifacts/versions.ts: ${differing.join(', ')}`,
      {
        hint: `publish this checkout's set: npx kvmatrix artifacts publish -k ${release.kubernetes}`,
      },
    );
  }
}

// The sha256 and size the manifest promises for a path of the version directory.
export function expectedDigest(
  manifest: ArtifactManifest,
  relPath: string,
): { sha256: string; size?: number } | undefined {
  const file = manifest.files[relPath];
  if (file) return { sha256: file.sha256, size: file.size };
  const image = Object.values(manifest.images).find((i) => i.archive === relPath);
  return image ? { sha256: image.sha256 } : undefined;
}

// Fetches one file of the set into the local cache (artifactDir layout) unless it is there with
// the manifest's sha256; concurrent calls for one file share one download. Returns its path.
export class MirrorFiles {
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly verified = new Set<string>();

  private readonly mirror: RemoteMirror;
  readonly manifests: Map<string, ArtifactManifest>;
  readonly counter: TransferCounter;

  constructor(
    mirror: RemoteMirror,
    manifests: Map<string, ArtifactManifest>,
    counter = newTransferCounter(),
  ) {
    this.mirror = mirror;
    this.manifests = manifests;
    this.counter = counter;
  }

  // Writes each manifest into the local cache, so the local readers see the set's pins.
  static async open(
    mirror: RemoteMirror,
    versions: string[],
    counter?: TransferCounter,
  ): Promise<MirrorFiles> {
    const manifests = new Map<string, ArtifactManifest>();
    for (const requested of versions) {
      const manifest = await fetchRemoteManifest(mirror, requested);
      manifests.set(manifest.kubernetes, manifest);
      const dir = artifactDir(manifest.kubernetes);
      await mkdir(dir, { recursive: true });
      const local = await readManifest(dir);
      if (JSON.stringify(local) !== JSON.stringify(manifest)) await writeManifest(dir, manifest);
    }
    return new MirrorFiles(mirror, manifests, counter);
  }

  ensure(version: string, relPath: string): Promise<string> {
    const key = `${version}/${relPath}`;
    let running = this.inflight.get(key);
    if (!running) {
      running = this.fetchOnce(version, relPath).finally(() => this.inflight.delete(key));
      this.inflight.set(key, running);
    }
    return running;
  }

  private async fetchOnce(version: string, relPath: string): Promise<string> {
    const manifest = this.manifests.get(version);
    const expected = manifest ? expectedDigest(manifest, relPath) : undefined;
    if (!manifest || !expected) {
      throw new KvError('NOT_FOUND', `${relPath} is not in the manifest of Kubernetes ${version}`, {
        hint: 'the cell asks for a file its artifact set does not have: republish the set',
      });
    }
    const target = path.join(artifactDir(version), relPath);
    const key = `${version}/${relPath}`;
    if (this.verified.has(key)) return target;
    const present = await stat(target).catch(() => undefined);
    if (present?.isFile() && (expected.size === undefined || present.size === expected.size)) {
      if ((await hashFile(target)) === expected.sha256) {
        this.verified.add(key);
        return target;
      }
    }
    const url = `${this.mirror.fileUrl}/kubernetes/v${version}/${relPath}`;
    const response = await fetchFromMirror(url, relPath, { signal: AbortSignal.timeout(15 * 60_000) });
    if (!response.ok || !response.body) {
      throw new InfrastructureError(`the artifact mirror answered ${response.status} for ${url}`, {
        hint: 'the set on the mirror is incomplete: republish it (npx kvmatrix artifacts publish)',
      });
    }
    await mkdir(path.dirname(target), { recursive: true });
    const partial = `${target}.part-${process.pid}`;
    const hash = createHash('sha256');
    let size = 0;
    const counted = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream).map(
      (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
        return chunk;
      },
    );
    try {
      await pipeline(
        counted,
        createWriteStream(partial, { mode: relPath.startsWith('bin/') ? 0o755 : 0o644 }),
      );
    } catch (error) {
      await rm(partial, { force: true });
      throw unreachable(relPath, url, error);
    }
    this.counter.files += 1;
    this.counter.fileBytes += size;
    const sha256 = hash.digest('hex');
    if (sha256 !== expected.sha256 || (expected.size !== undefined && size !== expected.size)) {
      await rm(partial, { force: true });
      const short = expected.size !== undefined && size < expected.size;
      const message = `${url}: sha256 ${sha256} (${size} bytes), the manifest says ${expected.sha256}${expected.size === undefined ? '' : ` (${expected.size} bytes)`}`;
      // A short read is the network's fault and worth a retry; a whole file with other content is not.
      if (short) throw new InfrastructureError(`${message}: the transfer broke off`, { hint: 'retry' });
      throw new KvError('IO', `${message}: the mirror serves another file than its manifest names`, {
        hint: 'republish the set (npx kvmatrix artifacts publish --force)',
      });
    }
    await rename(partial, target);
    this.verified.add(key);
    return target;
  }
}
