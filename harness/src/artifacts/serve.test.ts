import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLineProgress } from '../host/progress.ts';
import { artifactDir, recipeHashOf, resolveRelease } from './build-artifacts.ts';
import { buildImages } from './build-images.ts';
import { runtimeArtifactDir } from './build-runtime.ts';
import { emptyManifest, readManifest } from './manifest.ts';
import { pushImages } from './push-images.ts';
import { listRuntimeRecipes } from './runtime-recipes.ts';
import { containerd2Release } from './runtime-versions.ts';
import { type ServedArtifacts, serveArtifacts } from './serve.ts';

// A real mirror over a small artifact set made in a temporary cache: the pause binary (compiled
// with gcc) and its OCI image, pushed into a real docker-registry's storage and served back.

const release = resolveRelease('1.34');
let cache: string;
let previousCache: string | undefined;
let served: ServedArtifacts;

function rawGet(url: string, rawPath: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    http
      .get({ hostname, port, path: rawPath }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

beforeAll(async () => {
  previousCache = process.env.KVMATRIX_CACHE_DIR;
  cache = await mkdtemp(path.join(os.tmpdir(), 'kvm-artifacts-serve-'));
  process.env.KVMATRIX_CACHE_DIR = cache;
  const dir = artifactDir(release.kubernetes);
  await mkdir(path.join(dir, 'bin'), { recursive: true });
  const set = { dir, binDir: path.join(dir, 'bin'), manifest: emptyManifest(release) };
  const quiet = createLineProgress('test', () => {});
  await pushImages(await buildImages(set, quiet), quiet);
  served = await serveArtifacts({ host: '127.0.0.1', versions: ['1.34'] });
}, 120_000);

afterAll(async () => {
  await served?.close();
  if (previousCache === undefined) delete process.env.KVMATRIX_CACHE_DIR;
  else process.env.KVMATRIX_CACHE_DIR = previousCache;
  await rm(cache, { recursive: true, force: true });
});

describe('serveArtifacts', () => {
  it('serves each binary with the sha256 the manifest records', async () => {
    const manifest = await readManifest(artifactDir(release.kubernetes));
    const response = await fetch(`${served.fileUrl}/kubernetes/v${release.kubernetes}/bin/pause`);
    expect(response.status).toBe(200);
    const body = Buffer.from(await response.arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(manifest?.files['bin/pause']?.sha256);
  });

  it('serves nothing outside the requested versions', async () => {
    expect(await rawGet(served.fileUrl, '/kubernetes/v1.33.13/manifest.json')).toBe(404);
    expect(await rawGet(served.fileUrl, `/kubernetes/v${release.kubernetes}/../../../etc/passwd`)).toBe(404);
    expect(await rawGet(served.fileUrl, '/registry/docker/registry/v2/repositories')).toBe(404);
  });

  it('holds the images under the names kubeadm asks for, read-only', async () => {
    const manifest = await fetch(`http://${served.registry}/v2/kubernetes/pause/manifests/${release.pause}`, {
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(manifest.status).toBe(200);
    const upload = await fetch(`http://${served.registry}/v2/kubernetes/pause/blobs/uploads/`, {
      method: 'POST',
    });
    expect(upload.status).toBeGreaterThanOrEqual(400);
  });

  it('serves a runtime set built beside the Kubernetes sets, and refuses one that is not built', async () => {
    const runtime = runtimeArtifactDir(containerd2Release);
    const refused = await serveArtifacts({
      host: '127.0.0.1',
      versions: ['1.34'],
      runtimes: ['containerd2'],
    }).catch((e: unknown) => e);
    expect((refused as { hint: string }).hint).toBe('npx kvmatrix artifacts build --runtime containerd2');
    const [recipe] = listRuntimeRecipes(containerd2Release);
    if (!recipe) throw new Error('no recipe');
    await mkdir(path.join(runtime, 'bin'), { recursive: true });
    const files: Record<string, { sha256: string; size: number; source: string }> = {};
    for (const binary of recipe.binaries) {
      await writeFile(path.join(runtime, 'bin', binary.name), binary.name);
      files[`bin/${binary.name}`] = { sha256: '', size: binary.name.length, source: 'test' };
    }
    const component = {
      recipeHash: recipeHashOf(recipe),
      files: Object.keys(files),
      builtWith: 't',
      seconds: 0,
    };
    await writeFile(
      path.join(runtime, 'manifest.json'),
      JSON.stringify({ schema: 1, components: { containerd: component }, files }),
    );
    const both = await serveArtifacts({ host: '127.0.0.1', versions: ['1.34'], runtimes: ['containerd2'] });
    try {
      const ctr = await fetch(`${both.fileUrl}/containerd/v${containerd2Release.version}/bin/ctr`);
      expect(await ctr.text()).toBe('ctr');
      expect(await rawGet(both.fileUrl, '/containerd/v9.9.9/bin/ctr')).toBe(404);
    } finally {
      await both.close();
    }
    // A mirror without the runtime does not serve its folder.
    expect(await rawGet(served.fileUrl, `/containerd/v${containerd2Release.version}/bin/ctr`)).toBe(404);
  });

  it('refuses a version that was not built, saying how to build it', async () => {
    const error = await serveArtifacts({ host: '127.0.0.1', versions: ['1.33'] }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('is not built completely');
    expect((error as { hint: string }).hint).toContain('kvmatrix artifacts build --kubernetes 1.33.13');
  });
});

describe('the pause image', () => {
  it('is a static binary that reports the version kubeadm expects', async () => {
    const file = path.join(artifactDir(release.kubernetes), 'bin', 'pause');
    const bin = await readFile(file);
    expect(bin.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    const { stdout } = await execa(file, ['-v']);
    expect(stdout).toBe(`pause (kvmatrix) ${release.pause}`);
    const { stdout: kind } = await execa('file', ['-b', file], { reject: false });
    if (kind) expect(kind).toContain('statically linked');
  });
});
