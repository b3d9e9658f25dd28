import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isKvError } from '../contracts/errors.ts';
import { createLineProgress } from '../host/progress.ts';
import { type ArtifactSet, artifactDir, expectedRecipeHashes, resolveRelease } from './build-artifacts.ts';
import { buildImages } from './build-images.ts';
import { emptyManifest, writeManifest } from './manifest.ts';
import { publishArtifacts, staleReason } from './publish-artifacts.ts';
import { type ServedArtifacts, serveArtifacts } from './serve.ts';

// The artifacts job against a real shared mirror (`serveArtifacts` with uploads, over an empty
// cache): a small set (the gcc-built pause and its image, built in another cache, with the
// recipe hashes this checkout computes) is published once, skipped the second time.

const release = resolveRelease('1.34');
const version = release.kubernetes;
const token = 'test-upload-token-0123456789';
const quiet = createLineProgress('test', () => {});
let buildCache: string;
let mirrorCache: string;
let previousCache: string | undefined;
let mirror: ServedArtifacts;
let set: ArtifactSet;
let builds = 0;

beforeAll(async () => {
  previousCache = process.env.KVMATRIX_CACHE_DIR;
  buildCache = await mkdtemp(path.join(os.tmpdir(), 'kvm-publish-build-'));
  mirrorCache = await mkdtemp(path.join(os.tmpdir(), 'kvm-publish-mirror-'));
  process.env.KVMATRIX_CACHE_DIR = buildCache;
  const dir = artifactDir(version);
  await mkdir(path.join(dir, 'bin'), { recursive: true });
  const manifest = emptyManifest(release);
  for (const [name, recipeHash] of Object.entries(expectedRecipeHashes(release))) {
    manifest.components[name] = { recipeHash, files: [], builtWith: 'go-test', seconds: 0 };
  }
  set = await buildImages({ dir, binDir: path.join(dir, 'bin'), manifest }, quiet);
  await writeManifest(dir, set.manifest);
  process.env.KVMATRIX_CACHE_DIR = mirrorCache;
  mirror = await serveArtifacts({ host: '127.0.0.1', versions: [], all: true, uploadToken: token });
}, 180_000);

afterAll(async () => {
  await mirror?.close();
  if (previousCache === undefined) delete process.env.KVMATRIX_CACHE_DIR;
  else process.env.KVMATRIX_CACHE_DIR = previousCache;
  await rm(buildCache, { recursive: true, force: true });
  await rm(mirrorCache, { recursive: true, force: true });
});

const build = async () => {
  builds += 1;
  return set;
};

describe('publishArtifacts', () => {
  it('says why a set is stale: absent, other pins, another recipe', () => {
    expect(staleReason(undefined, version)).toBe('not on the mirror');
    expect(staleReason(emptyManifest({ ...release, crictl: '1.33.0' }), version)).toContain('crictl');
    expect(staleReason(emptyManifest(release), version)).toMatch(/^component kubernetes: recipe missing/);
  });

  it('refuses to publish without the upload token, naming the variable', async () => {
    const error = await publishArtifacts({
      versions: ['1.34'],
      url: mirror.fileUrl,
      progress: quiet,
      build,
    }).catch((e: unknown) => e);
    expect(isKvError(error) && error.exitCode).toBe(2);
    expect((error as { hint: string }).hint).toContain('KVMATRIX_MIRROR_TOKEN');
  });

  it('refuses a wrong token (401), and a file whose content the manifest does not name (422)', async () => {
    const error = await publishArtifacts({
      versions: ['1.34'],
      url: mirror.fileUrl,
      token: 'wrong-token-wrong-token',
      progress: quiet,
      build,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('(401)');
    const headers = { authorization: `Bearer ${token}` };
    const base = `${mirror.fileUrl}/uploads/kubernetes/v${version}`;
    const staged = await fetch(`${base}/manifest.json`, {
      method: 'PUT',
      headers,
      body: JSON.stringify(set.manifest),
    });
    expect(staged.status).toBe(200);
    const bad = await fetch(`${base}/bin/pause`, { method: 'PUT', headers, body: 'not the pause binary' });
    expect(bad.status).toBe(422);
    const early = await fetch(`${base}/commit`, { method: 'POST', headers });
    expect(early.status).toBe(409);
    expect(await early.text()).toContain('not uploaded yet: bin/pause');
  });

  it('publishes a missing version, which the mirror then serves with its images', async () => {
    const before = builds;
    const [outcome] = await publishArtifacts({
      versions: ['1.34'],
      url: mirror.fileUrl,
      token,
      progress: quiet,
      build,
    });
    expect(outcome?.action).toBe('published');
    expect(outcome?.bytes).toBeGreaterThan(0);
    expect(builds).toBe(before + 1);
    const manifest = await fetch(`${mirror.fileUrl}/kubernetes/v${version}/manifest.json`);
    expect(manifest.status).toBe(200);
    const image = await fetch(`http://${mirror.registry}/v2/kubernetes/pause/manifests/${release.pause}`, {
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(image.status).toBe(200);
  });

  it('skips a version the mirror holds as this checkout builds it, without building', async () => {
    const before = builds;
    const [outcome] = await publishArtifacts({
      versions: ['1.34'],
      url: mirror.fileUrl,
      progress: quiet,
      build,
    });
    expect(outcome?.action).toBe('skipped');
    expect(builds).toBe(before);
  });
});
