import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../host/paths.ts';
import { createLineProgress } from '../host/progress.ts';
import { recipeHashOf } from './build-artifacts.ts';
import {
  buildRuntimeArtifacts,
  isRuntimeBuilt,
  type RuntimeManifest,
  resolveRuntimeRelease,
  runtimeArtifactDir,
} from './build-runtime.ts';
import { listRecipes } from './recipes.ts';
import { listRuntimeRecipes } from './runtime-recipes.ts';
import { containerd2Release, findRuntimeRelease } from './runtime-versions.ts';
import { findRelease } from './versions.ts';

const release = containerd2Release;

// A runtime set as a finished build leaves it: files of some size and a manifest recording them
// under the recipe's hash (no Go needed; the cache check reads only hashes and sizes).
async function writeFakeRuntimeSet(): Promise<string> {
  const dir = runtimeArtifactDir(release);
  await mkdir(path.join(dir, 'bin'), { recursive: true });
  const [recipe] = listRuntimeRecipes(release);
  if (!recipe) throw new Error('no containerd recipe');
  const manifest: RuntimeManifest = {
    schema: 1,
    runtime: release.runtime,
    version: release.version,
    module: release.module,
    components: {
      containerd: {
        recipeHash: recipeHashOf(recipe),
        files: recipe.binaries.map((b) => `bin/${b.name}`),
        builtWith: 'go-test',
        seconds: 0,
      },
    },
    files: {},
  };
  for (const binary of recipe.binaries) {
    await writeFile(path.join(dir, 'bin', binary.name), binary.name);
    manifest.files[`bin/${binary.name}`] = {
      sha256: '0'.repeat(64),
      size: binary.name.length,
      source: 'test',
    };
  }
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

describe('containerd 2.x in the artifact set', () => {
  let cache: string;
  let previousCache: string | undefined;
  beforeEach(async () => {
    previousCache = process.env.KVMATRIX_CACHE_DIR;
    cache = await mkdtemp(path.join(os.tmpdir(), 'kvm-runtime-'));
    process.env.KVMATRIX_CACHE_DIR = cache;
  });
  afterEach(async () => {
    if (previousCache === undefined) delete process.env.KVMATRIX_CACHE_DIR;
    else process.env.KVMATRIX_CACHE_DIR = previousCache;
    await rm(cache, { recursive: true, force: true });
  });

  it('builds the daemon, its runc shim and ctr from the pinned module, stamped with the version', () => {
    const [recipe] = listRuntimeRecipes(release);
    expect(recipe?.roots).toEqual([
      { module: 'github.com/containerd/containerd/v2', version: `v${release.version}` },
    ]);
    expect(recipe?.binaries.map((b) => b.name)).toEqual(['containerd', 'containerd-shim-runc-v2', 'ctr']);
    expect(recipe?.ldflags).toContain(
      `-X github.com/containerd/containerd/v2/version.Version=v${release.version}`,
    );
  });

  it('is the version the playbooks’ containerd2 role installs', async () => {
    const defaults = parse(
      await readFile(path.join(repoRoot, 'playbooks/roles/containerd2/defaults/main.yml'), 'utf8'),
    ) as Record<string, unknown>;
    expect(defaults.containerd2_version).toBe(release.version);
    expect(defaults.containerd2_binaries).toEqual(
      listRuntimeRecipes(release)[0]?.binaries.map((b) => b.name),
    );
  });

  it('is found by runtime id or version, and an unknown runtime is a usage error naming what exists', () => {
    expect(findRuntimeRelease('containerd2')).toBe(release);
    expect(findRuntimeRelease(`v${release.version}`)).toBe(release);
    expect(findRuntimeRelease('containerd')).toBeUndefined();
    expect(() => resolveRuntimeRelease('crio')).toThrow(
      /no artifact recipe for the container runtime "crio"/,
    );
  });

  it('lives in its own folder, beside and outside the Kubernetes sets', () => {
    expect(runtimeArtifactDir(release)).toBe(
      path.join(cache, 'artifacts', 'containerd', `v${release.version}`),
    );
  });

  it('is cached by recipe hash and file sizes: a built set returns at once, a truncated file is stale', async () => {
    const dir = await writeFakeRuntimeSet();
    expect(await isRuntimeBuilt(release)).toBe(true);
    // Cached: no Go toolchain is looked for (PATH has none), nothing is rebuilt.
    const path_ = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const set = await buildRuntimeArtifacts({
        runtime: 'containerd2',
        progress: createLineProgress('t', () => {}),
      });
      expect(set.cached).toBe(true);
    } finally {
      process.env.PATH = path_;
    }
    await writeFile(path.join(dir, 'bin', 'ctr'), '');
    expect(await isRuntimeBuilt(release)).toBe(false);
  });
});

describe('the Kubernetes artifact sets', () => {
  // The cache keys of the sets CI keeps warm (~/.cache/kvmatrix): a change of any of these
  // rebuilds that component (the kubernetes one takes about 45 minutes cold). Adding a runtime
  // must not move them; change a pin here only together with a recipe change you mean.
  it('keep their recipe hashes when a runtime is added', () => {
    const hashes = (minor: string) => {
      const kubernetes = findRelease(minor);
      if (!kubernetes) throw new Error(minor);
      return Object.fromEntries(listRecipes(kubernetes, '').map((r) => [r.name, recipeHashOf(r)]));
    };
    expect(hashes('1.34')).toMatchObject({
      kubernetes: '8507dec1c7e2280b',
      etcd: '3c78768d171cfc5a',
      crictl: 'a84a6a7414ca63ea',
      coredns: '8144a044803642ad',
      'metrics-server': 'cbc2482332d99354',
    });
    expect(hashes('1.33')).toMatchObject({ kubernetes: '07457e0729ef572b', etcd: '5cd3bfc325b7af7d' });
    expect(Object.keys(hashes('1.34'))).not.toContain('containerd');
  });
});
