import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKvError } from '../contracts/errors.ts';
import { claimPort } from '../host/ports.ts';
import { createLineProgress, createProgress } from '../host/progress.ts';
import { artifactDir, resolveRelease } from './build-artifacts.ts';
import { buildImages } from './build-images.ts';
import { emptyManifest, readManifest } from './manifest.ts';
import { type MirrorRelay, startMirrorRelay } from './mirror-relay.ts';
import { publishToMirror, pushImages, registryStorage } from './push-images.ts';
import { type RunningRegistry, startRegistry } from './registry.ts';
import { checkManifestPins, MirrorFiles, remoteMirrorFromEnv } from './remote-mirror.ts';
import { type ServedArtifacts, serveArtifacts } from './serve.ts';

// A shared mirror (the real `serveArtifacts` over a small set in cache A: the gcc-built pause and
// its image in a real docker-registry) and a cell job's relay in front of it, whose cache is B.
// serveArtifacts captures its root when it starts, so one process can hold both sides.

const release = resolveRelease('1.34');
const version = release.kubernetes;
let sharedCache: string;
let jobCache: string;
let previousCache: string | undefined;
let shared: ServedArtifacts;
let files: MirrorFiles;
let jobRegistry: RunningRegistry;
let relay: MirrorRelay;

beforeAll(async () => {
  previousCache = process.env.KVMATRIX_CACHE_DIR;
  sharedCache = await mkdtemp(path.join(os.tmpdir(), 'kvm-relay-shared-'));
  jobCache = await mkdtemp(path.join(os.tmpdir(), 'kvm-relay-job-'));
  process.env.KVMATRIX_CACHE_DIR = sharedCache;
  const dir = artifactDir(version);
  await mkdir(path.join(dir, 'bin'), { recursive: true });
  const set = { dir, binDir: path.join(dir, 'bin'), manifest: emptyManifest(release) };
  const quiet = createLineProgress('test', () => {});
  await pushImages(await buildImages(set, quiet), quiet);
  shared = await serveArtifacts({ host: '127.0.0.1', versions: ['1.34'] });
  process.env.KVMATRIX_CACHE_DIR = jobCache;
  const remote = { fileUrl: shared.fileUrl, registry: shared.registry };
  files = await MirrorFiles.open(remote, ['1.34']);
  await mkdir(registryStorage(), { recursive: true });
  const port = await claimPort(undefined, 'the job registry');
  jobRegistry = await startRegistry({ storage: registryStorage(), host: '127.0.0.1', port, readonly: true });
  relay = await startMirrorRelay({ remote, files, host: '127.0.0.1', localRegistry: jobRegistry.address });
}, 180_000);

afterAll(async () => {
  await relay?.close();
  await jobRegistry?.close();
  await shared?.close();
  if (previousCache === undefined) delete process.env.KVMATRIX_CACHE_DIR;
  else process.env.KVMATRIX_CACHE_DIR = previousCache;
  await rm(sharedCache, { recursive: true, force: true });
  await rm(jobCache, { recursive: true, force: true });
});

const relayFile = (rel: string) => `http://127.0.0.1:${relay.filePort}/kubernetes/v${version}/${rel}`;

describe('the relay of a shared mirror', () => {
  it('writes the shared manifest into the job cache, where local readers find it', async () => {
    const local = await readManifest(artifactDir(version));
    expect(local?.files['bin/pause']?.sha256).toMatch(/^[0-9a-f]{64}$/);
    const served = await fetch(relayFile('manifest.json'));
    expect(((await served.json()) as { kubernetes: string }).kubernetes).toBe(version);
  });

  it('fetches a file once, checked against the manifest, and serves it from the job cache after', async () => {
    const manifest = await readManifest(artifactDir(version));
    const first = Buffer.from(await (await fetch(relayFile('bin/pause'))).arrayBuffer());
    expect(createHash('sha256').update(first).digest('hex')).toBe(manifest?.files['bin/pause']?.sha256);
    const after = relay.counter.fileBytes;
    expect(after).toBe(first.length);
    await fetch(relayFile('bin/pause')).then((r) => r.arrayBuffer());
    expect(relay.counter.fileBytes).toBe(after);
    expect((await readFile(path.join(artifactDir(version), 'bin', 'pause'))).equals(first)).toBe(true);
  });

  it('serves the images a node pulls from the shared registry, blob digests checked', async () => {
    const dest = path.join(jobCache, 'pulled');
    await execa('skopeo', [
      'copy',
      '--quiet',
      '--src-tls-verify=false',
      `docker://127.0.0.1:${relay.registryPort}/kubernetes/pause:${release.pause}`,
      `oci:${dest}:pause`,
    ]);
    const index = JSON.parse(await readFile(path.join(dest, 'index.json'), 'utf8')) as {
      manifests: unknown[];
    };
    expect(index.manifests).toHaveLength(1);
    expect(relay.counter.blobs).toBeGreaterThanOrEqual(2);
    expect(relay.counter.manifests).toBeGreaterThanOrEqual(1);
  });

  it("serves repositories the set does not hold (the job's probe image) from the job's own registry", async () => {
    const ref = await publishToMirror(
      `oci:${path.join(jobCache, 'pulled')}:pause`,
      'kvmatrix/probe:test',
      '.probe-test',
    );
    const before = relay.counter.manifests;
    const response = await fetch(
      `http://127.0.0.1:${relay.registryPort}/v2/${ref.replace(':', '/manifests/')}`,
      {
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      },
    );
    expect(response.status).toBe(200);
    expect(relay.counter.manifests).toBe(before);
  });

  it('answers 404 for an image or a file the set does not list', async () => {
    const image = await fetch(`http://127.0.0.1:${relay.registryPort}/v2/kubernetes/pause/manifests/9.9`);
    expect(image.status).toBe(404);
    expect((await fetch(relayFile('bin/not-in-the-set'))).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${relay.filePort}/kubernetes/v1.33.13/manifest.json`)).status).toBe(
      404,
    );
  });

  it('refuses a file whose content differs from the manifest, without keeping it', async () => {
    const sharedPause = path.join(sharedCache, 'artifacts', 'kubernetes', `v${version}`, 'bin', 'pause');
    const good = await readFile(sharedPause);
    await writeFile(sharedPause, Buffer.alloc(good.length, 0x41));
    try {
      const fresh = await MirrorFiles.open({ fileUrl: shared.fileUrl, registry: shared.registry }, ['1.34']);
      await rm(path.join(artifactDir(version), 'bin', 'pause'));
      const error = await fresh.ensure(version, 'bin/pause').catch((e: unknown) => e);
      expect(isKvError(error) && error.code).toBe('IO');
      expect((error as Error).message).toContain('the manifest says');
      await expect(readFile(path.join(artifactDir(version), 'bin', 'pause'))).rejects.toThrow();
    } finally {
      await writeFile(sharedPause, good);
    }
  });

  it('is an infrastructure failure (exit 3) when the shared mirror does not answer', async () => {
    const error = await MirrorFiles.open({ fileUrl: 'http://127.0.0.1:9', registry: '127.0.0.1:9' }, [
      '1.34',
    ]).catch((e: unknown) => e);
    expect(isKvError(error) && error.exitCode).toBe(3);
    expect((error as Error).message).toContain('the artifact mirror did not answer');
  });
});

describe('remoteMirrorFromEnv', () => {
  it('is undefined without the variables and reads both when set', () => {
    expect(remoteMirrorFromEnv({})).toBeUndefined();
    expect(
      remoteMirrorFromEnv({ KVMATRIX_ARTIFACT_URL: 'http://mirror:8080/', KVMATRIX_REGISTRY: 'mirror:5000' }),
    ).toEqual({ fileUrl: 'http://mirror:8080', registry: 'mirror:5000' });
  });

  it('refuses one variable without the other, and values that are not a URL or host:port', () => {
    expect(() => remoteMirrorFromEnv({ KVMATRIX_ARTIFACT_URL: 'http://mirror:8080' })).toThrow(
      /KVMATRIX_REGISTRY is not set/,
    );
    expect(() => remoteMirrorFromEnv({ KVMATRIX_ARTIFACT_URL: 'mirror', KVMATRIX_REGISTRY: 'm:1' })).toThrow(
      /is not a URL/,
    );
    expect(() =>
      remoteMirrorFromEnv({ KVMATRIX_ARTIFACT_URL: 'http://m:1', KVMATRIX_REGISTRY: 'http://m:5000' }),
    ).toThrow(/is not host:port/);
  });
});

describe('checkManifestPins', () => {
  it('refuses a set whose companion versions differ from this checkout', () => {
    const manifest = emptyManifest({ ...release, etcd: '3.6.4' });
    expect(() => checkManifestPins(manifest, version, 'the mirror')).toThrow(
      /etcd "3.6.4" \(expected "3.6.5"\)/,
    );
    expect(() => checkManifestPins(emptyManifest(release), version, 'the mirror')).not.toThrow();
  });
});
