import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { buildGoRecipe } from '../artifacts/build-go-recipe.ts';
import { findGoToolchain, runGo } from '../artifacts/go-toolchain.ts';
import { hashFile, hashRecipe } from '../artifacts/manifest.ts';
import { KvError, UsageError } from '../contracts/errors.ts';
import { acquireFileLock } from '../host/file-lock.ts';
import { cacheDir } from '../host/paths.ts';
import { formatSeconds, type ProgressReporter } from '../host/progress.ts';
import { chrootCommand, ensureDebianRoot } from './debian-root.ts';
import { buildRootPackages, type LabRecipe, listLabRecipes } from './lab-recipes.ts';
import { labVersions } from './lab-versions.ts';

// Builds the lab's binaries into cacheDir('artifacts','kubevirt-lab','<versions>','bin') with a
// manifest like the Kubernetes artifact set's: a component is rebuilt only when its recipe hash
// changes or a file is missing, so a warm cache returns at once, without Go or the network.

const recipeRevision = 1;

export interface LabManifest {
  schema: 1;
  versions: typeof labVersions;
  components: Record<string, { recipeHash: string; files: string[]; seconds: number; builtWith: string }>;
  files: Record<string, { sha256: string; size: number; source: string }>;
}

export function labArtifactDir(): string {
  const v = labVersions;
  return cacheDir('artifacts', 'kubevirt-lab', `kubevirt-v${v.kubevirt.version}-cdi-v${v.cdi.version}`);
}

export async function readLabManifest(dir: string = labArtifactDir()): Promise<LabManifest> {
  try {
    return JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as LabManifest;
  } catch {
    return { schema: 1, versions: labVersions, components: {}, files: {} };
  }
}

async function writeLabManifest(dir: string, manifest: LabManifest): Promise<void> {
  const target = path.join(dir, 'manifest.json');
  await writeFile(`${target}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${target}.tmp`, target);
}

// The build root of the cgo binaries: Debian's compilers and -dev packages, and libnbd's source.
export const buildRootSpec = {
  name: 'build',
  suite: labVersions.debianSuite,
  packages: buildRootPackages,
  sources: [`libnbd=${labVersions.libnbdSource}`],
};

function recipeHashOf(recipe: LabRecipe): string {
  return hashRecipe({ recipeRevision, recipe, buildRoot: recipe.buildRoot ? buildRootSpec : undefined });
}

async function isCurrent(dir: string, manifest: LabManifest, recipe: LabRecipe): Promise<boolean> {
  const component = manifest.components[recipe.name];
  if (!component || component.recipeHash !== recipeHashOf(recipe)) return false;
  for (const file of component.files) {
    const onDisk = await stat(path.join(dir, file)).catch(() => undefined);
    if (!onDisk || onDisk.size !== manifest.files[file]?.size) return false;
  }
  return true;
}

export interface BuildLabOptions {
  components?: string[];
  force?: boolean;
  progress: ProgressReporter;
}

export async function buildLabBinaries(options: BuildLabOptions): Promise<{ dir: string; binDir: string }> {
  const { progress } = options;
  const dir = labArtifactDir();
  const binDir = path.join(dir, 'bin');
  await mkdir(binDir, { recursive: true });
  const all = listLabRecipes();
  const unknown = (options.components ?? []).filter((name) => !all.some((r) => r.name === name));
  if (unknown.length) {
    throw new UsageError(`unknown lab component ${unknown.join(', ')}`, {
      hint: `components: ${all.map((r) => r.name).join(', ')}`,
    });
  }
  const wanted = options.components ? all.filter((r) => options.components?.includes(r.name)) : all;
  const release = await acquireFileLock(path.join(dir, '.lock'), {
    timeoutMs: 3 * 60 * 60_000,
    onWait: (pid) => progress(`waiting for another lab build (pid ${pid})`),
    timeoutCode: 'TIMEOUT',
  });
  try {
    const manifest = await readLabManifest(dir);
    const stale: LabRecipe[] = [];
    for (const recipe of wanted) {
      if (options.force || !(await isCurrent(dir, manifest, recipe))) stale.push(recipe);
    }
    const containerDisk =
      wanted.some((r) => r.name === 'kubevirt') &&
      (stale.some((r) => r.name === 'kubevirt') ||
        !(await stat(path.join(binDir, 'container-disk')).catch(() => undefined)));
    if (!stale.length && !containerDisk) {
      progress(`lab binaries up to date in ${dir}`);
      return { dir, binDir };
    }
    const toolchain = await findGoToolchain();
    progress(`building ${stale.map((r) => r.name).join(', ')} with ${toolchain.version}`);
    const needsRoot = containerDisk || stale.some((r) => r.buildRoot || r.thirdParty?.length);
    const root = needsRoot ? await ensureDebianRoot(buildRootSpec, progress) : undefined;
    // The toolchain, module cache and build cache appear at the same paths inside the build root.
    const goDirs = (await runGo(toolchain, ['env', 'GOROOT', 'GOMODCACHE', 'GOCACHE'], { cwd: '/' }))
      .trim()
      .split('\n');
    for (const recipe of stale) {
      const started = Date.now();
      const step = (message: string) => progress(`${recipe.name}: ${message}`);
      const workDir = cacheDir('artifacts', 'work', 'kubevirt-lab', recipe.name);
      const binds = [...goDirs, workDir, binDir];
      await buildGoRecipe(toolchain, recipe, workDir, binDir, step, {
        prepareWorkDir: async (work) => {
          for (const party of recipe.thirdParty ?? []) {
            const target = path.join(work, 'third_party', party.dir);
            await rm(target, { recursive: true, force: true });
            await cp(path.join(root ?? '/', party.from), target, { recursive: true });
            // Only the library: its tests import packages the build module does not resolve.
            await removeTests(target);
            await renameSymbols(target, party.renames ?? {});
          }
        },
        ...(recipe.buildRoot && root
          ? { wrapBuild: (file, args) => chrootCommand(root, binds, workDir, file, args) }
          : {}),
      });
      const files: string[] = [];
      for (const binary of recipe.binaries) {
        const file = `bin/${binary.name}`;
        const full = path.join(dir, file);
        manifest.files[file] = {
          sha256: await hashFile(full),
          size: (await stat(full)).size,
          source: `${recipe.roots[0]?.module}@${recipe.roots[0]?.version}`,
        };
        files.push(file);
      }
      const seconds = (Date.now() - started) / 1000;
      manifest.components[recipe.name] = {
        recipeHash: recipeHashOf(recipe),
        files,
        seconds: Math.round(seconds),
        builtWith: recipe.buildRoot
          ? `${toolchain.version} in Debian ${labVersions.debianSuite}`
          : toolchain.version,
      };
      await writeLabManifest(dir, manifest);
      step(`done in ${formatSeconds(seconds)}`);
    }
    if (stale.some((r) => r.name === 'kubevirt') && root)
      await buildContainerDisk(root, binDir, manifest, progress);
    await writeLabManifest(dir, manifest);
    return { dir, binDir };
  } finally {
    await release();
  }
}

// KubeVirt's container-disk (cmd/container-disk-v2alpha/main.c), which virt-launcher's image
// carries for containerDisk volumes: C, linked statically as its BUILD.bazel says, compiled with
// the build root's gcc.
async function buildContainerDisk(
  root: string,
  binDir: string,
  manifest: LabManifest,
  progress: ProgressReporter,
): Promise<void> {
  const gomodcache = path.join(os.homedir(), 'go', 'pkg', 'mod');
  const source = path.join(
    process.env.GOMODCACHE ?? gomodcache,
    `kubevirt.io/kubevirt@v${labVersions.kubevirt.version}`,
    'cmd/container-disk-v2alpha/main.c',
  );
  const out = path.join(binDir, 'container-disk');
  const [file, args] = chrootCommand(root, [path.dirname(source), binDir], binDir, 'gcc', [
    '-O2',
    '-static',
    '-o',
    out,
    source,
  ]);
  const result = await execa(file, args, { reject: false, all: true });
  if (result.exitCode !== 0) {
    throw new KvError(
      'TOOL_FAILED',
      `gcc ${source} in the build root failed: ${String(result.all).slice(-600)}`,
    );
  }
  manifest.files['bin/container-disk'] = {
    sha256: await hashFile(out),
    size: (await stat(out)).size,
    source: `kubevirt.io/kubevirt@v${labVersions.kubevirt.version}`,
  };
  const component = manifest.components.kubevirt;
  if (component && !component.files.includes('bin/container-disk'))
    component.files.push('bin/container-disk');
  progress('container-disk: compiled (gcc -static)');
}

async function renameSymbols(dir: string, renames: Record<string, string>): Promise<void> {
  if (!Object.keys(renames).length) return;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await renameSymbols(full, renames);
    else if (/\.(go|c|h)$/.test(entry.name)) {
      let text = await readFile(full, 'utf8');
      for (const [from, to] of Object.entries(renames))
        text = text.replace(new RegExp(`\\b${from}\\b`, 'g'), to);
      await writeFile(full, text);
    }
  }
}

async function removeTests(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await removeTests(full);
    else if (entry.name.endsWith('_test.go')) await rm(full);
  }
}
