import { existsSync } from 'node:fs';
import { mkdir, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { InfrastructureError, UsageError } from '../contracts/errors.ts';
import { acquireFileLock } from '../host/file-lock.ts';
import { cacheDir } from '../host/paths.ts';
import { createLineProgress, formatSeconds, type ProgressReporter } from '../host/progress.ts';
import { buildGoRecipe, downloadModule } from './build-go-recipe.ts';
import { buildImages } from './build-images.ts';
import { findGoToolchain, type GoToolchain } from './go-toolchain.ts';
import {
  type ArtifactManifest,
  emptyManifest,
  hashFile,
  hashRecipe,
  readManifest,
  writeManifest,
} from './manifest.ts';
import { pushImages } from './push-images.ts';
import { type GoRecipe, listRecipes } from './recipes.ts';
import { findRelease, type KubernetesRelease, listMinors } from './versions.ts';

// Builds the binaries of one Kubernetes release into cacheDir('artifacts','kubernetes','v<ver>').
// Idempotent and cached: a component whose recipe hash is in manifest.json and whose files are
// present with the recorded size is not rebuilt, so a second build returns at once (no Go needed).

// Bump when the way binaries are built changes in a way the recipe data does not show.
const recipeRevision = 1;
const minFreeBytes = 6 * 1024 ** 3;

export interface BuildArtifactsOptions {
  kubernetes: string;
  // Build only these recipes (kubernetes, etcd, crictl, coredns); all by default.
  components?: string[];
  progress?: ProgressReporter;
  force?: boolean;
  // Also pack the OCI images (default: when all components are built).
  images?: boolean;
}

export interface ArtifactSet {
  dir: string;
  binDir: string;
  manifest: ArtifactManifest;
}

export function artifactDir(version: string): string {
  return cacheDir('artifacts', 'kubernetes', `v${version}`);
}

export function resolveRelease(requested: string): KubernetesRelease {
  const release = findRelease(requested);
  if (!release) {
    throw new UsageError(`no artifact recipe for Kubernetes ${requested}`, {
      hint: `kvmatrix builds ${listMinors()
        .map((minor) => `${minor} (${findRelease(minor)?.kubernetes})`)
        .join(', ')}; versions are pinned in harness/src/artifacts/versions.ts`,
    });
  }
  return release;
}

// The recipe as hashed: the build date is derived from the version, so it is left out and the
// cache check needs neither Go nor the network. Shared with the runtime builds (build-runtime.ts):
// changing it rebuilds every cached component.
export function recipeHashOf(recipe: GoRecipe): string {
  return hashRecipe({
    recipeRevision,
    recipe: { ...recipe, ldflags: recipe.ldflags.filter((f) => !f.includes('buildDate')) },
  });
}

// The recipe hash of every component a default build makes, as this checkout computes it: what a
// published set's manifest must record for its components to count as current.
export function expectedRecipeHashes(release: KubernetesRelease): Record<string, string> {
  const out: Record<string, string> = {};
  for (const recipe of selectRecipes(listRecipes(release, ''), undefined))
    out[recipe.name] = recipeHashOf(recipe);
  return out;
}

// The recipes a build makes: the named ones (an unknown name is a usage error), or every recipe
// that is not optional.
export function selectRecipes(recipes: GoRecipe[], components: string[] | undefined): GoRecipe[] {
  if (!components) return recipes.filter((recipe) => !recipe.optional);
  const unknown = components.filter((name) => !recipes.some((recipe) => recipe.name === name));
  if (unknown.length) {
    throw new UsageError(`unknown artifact component ${unknown.join(', ')}`, {
      hint: `components: ${recipes.map((recipe) => recipe.name).join(', ')}`,
    });
  }
  return recipes.filter((recipe) => components.includes(recipe.name));
}

// True when the manifest records this recipe's hash and every file it made is present at the
// recorded size (the cache check of a component; no Go, no network).
export async function isComponentCurrent(
  dir: string,
  manifest: Pick<ArtifactManifest, 'components' | 'files'>,
  recipe: GoRecipe,
): Promise<boolean> {
  const component = manifest.components[recipe.name];
  if (!component || component.recipeHash !== recipeHashOf(recipe)) return false;
  for (const file of component.files) {
    const recorded = manifest.files[file];
    const onDisk = await stat(path.join(dir, file)).catch(() => undefined);
    if (!recorded || !onDisk || onDisk.size !== recorded.size) return false;
  }
  return true;
}

async function staleRecipes(
  dir: string,
  manifest: ArtifactManifest,
  recipes: GoRecipe[],
): Promise<GoRecipe[]> {
  const stale: GoRecipe[] = [];
  for (const recipe of recipes) if (!(await isComponentCurrent(dir, manifest, recipe))) stale.push(recipe);
  return stale;
}

// The components a plain build of a version makes (the optional e2e tools left out).
export function listComponents(version: string): string[] {
  return selectRecipes(listRecipes(resolveRelease(version), ''), undefined).map((recipe) => recipe.name);
}

// The components of a version that a build would make now (none when its set is current), read
// from the cache alone: what `npm run setup` announces before it starts.
export async function listStaleComponents(version: string, components?: string[]): Promise<string[]> {
  const release = resolveRelease(version);
  const dir = artifactDir(release.kubernetes);
  const manifest = (await readManifest(dir)) ?? emptyManifest(release);
  const stale = await staleRecipes(dir, manifest, selectRecipes(listRecipes(release, ''), components));
  return stale.map((recipe) => recipe.name);
}

async function checkFreeSpace(dir: string): Promise<void> {
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  if (free < minFreeBytes) {
    throw new InfrastructureError(
      `only ${(free / 1024 ** 3).toFixed(1)} GiB free under ${dir}; building Kubernetes needs about 6 GiB`,
      { hint: 'free disk space (go clean -cache) or set KVMATRIX_CACHE_DIR to a larger disk' },
    );
  }
}

export async function buildArtifacts(options: BuildArtifactsOptions): Promise<ArtifactSet> {
  const release = resolveRelease(options.kubernetes);
  const progress = options.progress ?? createLineProgress(`artifacts v${release.kubernetes}`);
  const dir = artifactDir(release.kubernetes);
  const binDir = path.join(dir, 'bin');
  await mkdir(binDir, { recursive: true });
  // Two builds of the same version (two terminals, or set-up and a test run) must not write the
  // same files.
  const release_ = await acquireFileLock(path.join(dir, '.lock'), {
    timeoutMs: 60 * 60_000,
    onWait: (pid) => progress(`waiting for another build (pid ${pid}) of this version to finish`),
    timeoutCode: 'TIMEOUT',
    timeoutHint: 'another kvmatrix build is running; wait for it or remove the lock file if it is stale',
  });
  try {
    let manifest = (await readManifest(dir)) ?? emptyManifest(release);
    manifest = { ...manifest, release, kubernetes: release.kubernetes };
    const wanted = selectRecipes(listRecipes(release, ''), options.components);
    const stale = options.force ? wanted : await staleRecipes(dir, manifest, wanted);
    // agnhost's and busybox's images belong to the e2e components: `--only agnhost` packs them.
    const withImages = options.images ?? (!options.components || options.components.includes('agnhost'));
    if (!stale.length) {
      if (withImages) await pushImages(await buildImages({ dir, binDir, manifest }, progress), progress);
      progress(`up to date in ${dir}`);
      return { dir, binDir, manifest };
    }
    await checkFreeSpace(dir);
    const toolchain = await findGoToolchain();
    progress(`building ${stale.map((r) => r.name).join(', ')} with ${toolchain.version}`);
    const buildDate = await moduleTime(toolchain, release, dir);
    const dated = new Map(listRecipes(release, buildDate).map((recipe) => [recipe.name, recipe]));
    for (const undated of stale) {
      const recipe = dated.get(undated.name) ?? undated;
      const started = Date.now();
      const step = (message: string) => progress(`${recipe.name}: ${message}`);
      const workDir = cacheDir('artifacts', 'work', `v${release.kubernetes}`, recipe.name);
      await buildGoRecipe(toolchain, recipe, workDir, binDir, step);
      const files: string[] = [];
      const names = [...recipe.binaries.map((b) => b.name), ...(recipe.copyFiles ?? []).map((f) => f.name)];
      for (const name of names) {
        const file = `bin/${name}`;
        const full = path.join(dir, file);
        const pkg = recipe.binaries.find((b) => b.name === name)?.pkg ?? recipe.roots[0]?.module ?? '';
        const root = recipe.roots.find((r) => pkg.startsWith(r.module)) ?? recipe.roots[0];
        manifest.files[file] = {
          sha256: await hashFile(full),
          size: (await stat(full)).size,
          source: `${root?.module}@${root?.version}`,
        };
        files.push(file);
      }
      const seconds = (Date.now() - started) / 1000;
      manifest.components[recipe.name] = {
        recipeHash: recipeHashOf(undated),
        files,
        builtWith: toolchain.version,
        seconds: Math.round(seconds),
      };
      await writeManifest(dir, manifest);
      step(`done in ${formatSeconds(seconds)}`);
    }
    if (withImages) await pushImages(await buildImages({ dir, binDir, manifest }, progress), progress);
    return { dir, binDir, manifest };
  } finally {
    await release_();
  }
}

// The publication time of the k8s.io/kubernetes version, used as the stamped build date.
async function moduleTime(toolchain: GoToolchain, release: KubernetesRelease, cwd: string): Promise<string> {
  const info = await downloadModule(toolchain, 'k8s.io/kubernetes', `v${release.kubernetes}`, cwd);
  return (info.Time ?? '1970-01-01T00:00:00Z').replace(/\.\d+Z$/, 'Z');
}

// True when every binary of the listed components is already built (used by the testbed to
// decide whether it can start without building).
export async function hasArtifacts(version: string, binaries: string[]): Promise<boolean> {
  return binaries.every((name) => existsSync(path.join(artifactDir(version), 'bin', name)));
}
