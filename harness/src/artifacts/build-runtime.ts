import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../contracts/errors.ts';
import { acquireFileLock } from '../host/file-lock.ts';
import { cacheDir } from '../host/paths.ts';
import { createLineProgress, formatSeconds, type ProgressReporter } from '../host/progress.ts';
import { isComponentCurrent, recipeHashOf } from './build-artifacts.ts';
import { buildGoRecipe } from './build-go-recipe.ts';
import { findGoToolchain } from './go-toolchain.ts';
import { hashFile, type ManifestComponent, type ManifestFile } from './manifest.ts';
import { listRuntimeRecipes } from './runtime-recipes.ts';
import { findRuntimeRelease, type RuntimeRelease, runtimeReleases } from './runtime-versions.ts';

// Builds a container runtime from its Go module into its own cached set,
// cacheDir('artifacts', '<folder>', 'v<version>') (containerd/v2.4.2/bin/containerd, ...), beside
// and independent of the Kubernetes sets: adding or changing a runtime never touches their
// manifests or recipe hashes. Idempotent and cached the same way (recipe hash + file sizes).

export interface RuntimeManifest {
  schema: 1;
  runtime: string;
  version: string;
  module: string;
  components: Record<string, ManifestComponent>;
  files: Record<string, ManifestFile>;
}

export interface RuntimeSet {
  release: RuntimeRelease;
  dir: string;
  manifest: RuntimeManifest;
  // True when nothing had to be built.
  cached: boolean;
}

export function runtimeArtifactDir(release: RuntimeRelease): string {
  return cacheDir('artifacts', release.folder, `v${release.version}`);
}

export function resolveRuntimeRelease(requested: string): RuntimeRelease {
  const release = findRuntimeRelease(requested);
  if (!release) {
    throw new UsageError(`no artifact recipe for the container runtime "${requested}"`, {
      hint: `kvmatrix builds ${runtimeReleases
        .map((r) => `${r.runtime} (${r.version})`)
        .join(', ')}; versions are pinned in harness/src/artifacts/runtime-versions.ts`,
    });
  }
  return release;
}

export async function readRuntimeManifest(dir: string): Promise<RuntimeManifest | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as RuntimeManifest;
    return parsed.schema === 1 ? parsed : undefined;
  } catch {
    return undefined;
  }
}

async function writeRuntimeManifest(dir: string, manifest: RuntimeManifest): Promise<void> {
  const target = path.join(dir, 'manifest.json');
  await writeFile(`${target}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${target}.tmp`, target);
}

// True when every component of the runtime is built (the serving side asks before a run).
export async function isRuntimeBuilt(release: RuntimeRelease): Promise<boolean> {
  const dir = runtimeArtifactDir(release);
  const manifest = await readRuntimeManifest(dir);
  if (!manifest) return false;
  for (const recipe of listRuntimeRecipes(release)) {
    if (!(await isComponentCurrent(dir, manifest, recipe))) return false;
  }
  return true;
}

export async function buildRuntimeArtifacts(options: {
  runtime: string;
  force?: boolean;
  progress?: ProgressReporter;
}): Promise<RuntimeSet> {
  const release = resolveRuntimeRelease(options.runtime);
  const progress = options.progress ?? createLineProgress(`artifacts ${release.runtime} v${release.version}`);
  const dir = runtimeArtifactDir(release);
  const binDir = path.join(dir, 'bin');
  await mkdir(binDir, { recursive: true });
  const unlock = await acquireFileLock(path.join(dir, '.lock'), {
    timeoutMs: 60 * 60_000,
    onWait: (pid) => progress(`waiting for another build (pid ${pid}) of this runtime to finish`),
    timeoutCode: 'TIMEOUT',
    timeoutHint: 'another kvmatrix build is running; wait for it or remove the lock file if it is stale',
  });
  try {
    const manifest: RuntimeManifest = (await readRuntimeManifest(dir)) ?? {
      schema: 1,
      runtime: release.runtime,
      version: release.version,
      module: release.module,
      components: {},
      files: {},
    };
    const stale = [];
    for (const recipe of listRuntimeRecipes(release)) {
      if (options.force || !(await isComponentCurrent(dir, manifest, recipe))) stale.push(recipe);
    }
    if (!stale.length) {
      progress(`up to date in ${dir}`);
      return { release, dir, manifest, cached: true };
    }
    const toolchain = await findGoToolchain();
    progress(`building ${stale.map((r) => r.name).join(', ')} with ${toolchain.version}`);
    for (const recipe of stale) {
      const started = Date.now();
      const step = (message: string) => progress(`${recipe.name}: ${message}`);
      const workDir = cacheDir('artifacts', 'work', `${release.folder}-v${release.version}`, recipe.name);
      await buildGoRecipe(toolchain, recipe, workDir, binDir, step);
      const files: string[] = [];
      for (const binary of recipe.binaries) {
        const file = `bin/${binary.name}`;
        const full = path.join(dir, file);
        manifest.files[file] = {
          sha256: await hashFile(full),
          size: (await stat(full)).size,
          source: `${release.module}@v${release.version}`,
        };
        files.push(file);
      }
      const seconds = (Date.now() - started) / 1000;
      manifest.components[recipe.name] = {
        recipeHash: recipeHashOf(recipe),
        files,
        builtWith: toolchain.version,
        seconds: Math.round(seconds),
      };
      await writeRuntimeManifest(dir, manifest);
      step(`done in ${formatSeconds(seconds)}`);
    }
    return { release, dir, manifest, cached: false };
  } finally {
    await unlock();
  }
}
