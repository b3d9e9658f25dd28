import { chmod, copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KvError } from '../contracts/errors.ts';
import { formatSeconds, type ProgressReporter } from '../host/progress.ts';
import { type BuildModuleInput, renderGoMod, renderToolsGo } from './build-module.ts';
import { isModuleImport, parseGoImports } from './go-imports.ts';
import { type GoToolchain, runGo } from './go-toolchain.ts';
import type { GoRecipe } from './recipes.ts';

// Builds one recipe: writes its build module into `workDir` (kept, so go.sum and a failed build
// can be inspected), resolves it against the module proxy and links the binaries into `outDir`.
// Safe to rerun: everything is rewritten, and Go's build cache makes a rerun cheap.

interface DownloadedModule {
  Path: string;
  Version: string;
  GoMod?: string;
  Dir?: string;
  Info?: string;
  Time?: string;
  Error?: string;
}

// Downloads a module (from the module cache when present) and returns where its go.mod is.
export async function downloadModule(
  toolchain: GoToolchain,
  module: string,
  version: string,
  cwd: string,
  env: Record<string, string> = {},
): Promise<DownloadedModule> {
  const out = await runGo(toolchain, ['mod', 'download', '-json', `${module}@${version}`], { cwd, env });
  const info = JSON.parse(out) as DownloadedModule;
  if (info.Error || !info.GoMod) {
    throw new KvError('TOOL_FAILED', `go mod download ${module}@${version}: ${info.Error ?? 'no go.mod'}`);
  }
  if (!info.Time && info.Info) {
    const published = JSON.parse(await readFile(info.Info, 'utf8').catch(() => '{}')) as { Time?: string };
    if (published.Time) info.Time = published.Time;
  }
  return info;
}

export interface BuildGoRecipeOptions {
  // Fills the build module's directory before go runs (local modules of `replaces`).
  prepareWorkDir?: (workDir: string) => Promise<void>;
  // How `go build` runs (see RunGoOptions.wrap); resolution (`go mod`) always runs on the host.
  wrapBuild?: (file: string, args: string[]) => [string, string[]];
}

export async function buildGoRecipe(
  toolchain: GoToolchain,
  recipe: GoRecipe,
  workDir: string,
  outDir: string,
  progress: ProgressReporter,
  options: BuildGoRecipeOptions = {},
): Promise<void> {
  await mkdir(workDir, { recursive: true });
  await options.prepareWorkDir?.(workDir);
  const env = recipe.env ?? {};
  const rootGoMods: string[] = [];
  const rootDirs = new Map<string, string>();
  for (const root of recipe.roots) {
    progress(`resolving ${root.module}@${root.version}`);
    const info = await downloadModule(toolchain, root.module, root.version, workDir, env);
    rootGoMods.push(await readFile(info.GoMod as string, 'utf8'));
    if (info.Dir) rootDirs.set(root.module, info.Dir);
  }
  const input: BuildModuleInput = {
    name: recipe.name,
    roots: recipe.roots,
    rootGoMods,
    packages: recipe.binaries.map((binary) => binary.pkg),
    ...(recipe.replaces ? { replaceOverrides: recipe.replaces } : {}),
  };
  await writeFile(path.join(workDir, 'go.mod'), renderGoMod(input));
  const external = input.packages.filter((pkg) => !pkg.startsWith('kvmatrix.local/'));
  const testImports = await listTestImports(recipe, rootDirs);
  const tools = [...new Set([...external, ...testImports])].sort();
  await writeFile(path.join(workDir, 'tools.go'), renderToolsGo(tools));
  if (recipe.localMain) {
    await mkdir(path.join(workDir, recipe.localMain.dir), { recursive: true });
    await writeFile(path.join(workDir, recipe.localMain.dir, 'main.go'), recipe.localMain.source);
  }
  if (recipe.patchedMain) {
    const { dir, module, file, dropLines } = recipe.patchedMain;
    const original = await readFile(path.join(rootDirs.get(module) ?? '', file), 'utf8');
    const kept = original.split('\n').filter((line) => !dropLines.some((drop) => line.includes(drop)));
    await mkdir(path.join(workDir, dir), { recursive: true });
    await writeFile(path.join(workDir, dir, 'main.go'), kept.join('\n'));
  }

  let downloads = 0;
  let lastReport = Date.now();
  progress('resolving dependencies (go mod tidy)');
  await runGo(toolchain, ['mod', 'tidy'], {
    cwd: workDir,
    env,
    onLine: (line) => {
      if (!line.startsWith('go: downloading')) return;
      downloads++;
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        progress(`downloaded ${downloads} modules`);
      }
    },
  });

  const partial = path.join(outDir, `.partial-${recipe.name}`);
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const ldflags = ['-s', '-w', ...recipe.ldflags].join(' ');
  const started = Date.now();
  let compiled = 0;
  lastReport = Date.now();
  const heartbeat = setInterval(() => {
    const elapsed = formatSeconds((Date.now() - started) / 1000);
    // `go test -c` has no -v: it names no packages as it goes.
    progress(compiled ? `compiling: ${compiled} packages so far (${elapsed})` : `compiling (${elapsed})`);
  }, 30_000);
  try {
    for (const binary of recipe.binaries) {
      progress(`building ${binary.name} (${binary.pkg})`);
      // `go test -c` takes the build flags of `go build`; its -v would be a test flag.
      const verb = binary.test ? ['test', '-c'] : ['build', '-v'];
      await runGo(
        toolchain,
        [
          ...verb,
          '-p',
          '2',
          ...(recipe.tags?.length ? ['-tags', recipe.tags.join(',')] : []),
          '-trimpath',
          '-ldflags',
          ldflags,
          '-o',
          path.join(partial, binary.name),
          binary.pkg,
        ],
        {
          cwd: workDir,
          nice: true,
          env,
          ...(options.wrapBuild ? { wrap: options.wrapBuild } : {}),
          onLine: (line) => {
            if (line && !line.startsWith('go: ')) compiled++;
          },
        },
      );
    }
  } finally {
    clearInterval(heartbeat);
  }
  for (const binary of recipe.binaries) {
    await rename(path.join(partial, binary.name), path.join(outDir, binary.name));
  }
  for (const file of recipe.copyFiles ?? []) {
    // The module cache's files are read-only: replace the copy, and make it writable by its owner.
    const target = path.join(outDir, file.name);
    await rm(target, { force: true });
    await copyFile(path.join(rootDirs.get(file.module) ?? '', file.file), target);
    await chmod(target, 0o644);
  }
  await rm(partial, { recursive: true, force: true });
}

// The module imports of the _test.go files of every test binary's package.
async function listTestImports(recipe: GoRecipe, rootDirs: Map<string, string>): Promise<string[]> {
  const imports: string[] = [];
  for (const binary of recipe.binaries.filter((b) => b.test)) {
    const root = recipe.roots.find((r) => binary.pkg === r.module || binary.pkg.startsWith(`${r.module}/`));
    const rootDir = root && rootDirs.get(root.module);
    if (!root || !rootDir) continue;
    const dir = path.join(rootDir, binary.pkg.slice(root.module.length));
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('_test.go'))) {
      const found = parseGoImports(await readFile(path.join(dir, file), 'utf8'));
      imports.push(...found.filter((p) => isModuleImport(p) && p !== binary.pkg));
    }
  }
  return imports;
}
