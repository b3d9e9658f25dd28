import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { hashFile, hashRecipe } from '../artifacts/manifest.ts';
import { publishToMirror } from '../artifacts/push-images.ts';
import { addBusybox } from '../artifacts/rootfs.ts';
import { KvError, ToolMissingError } from '../contracts/errors.ts';
import { cacheDir } from '../host/paths.ts';
import { formatSeconds, type ProgressReporter } from '../host/progress.ts';
import { labArtifactDir } from './build-lab-binaries.ts';
import { ensureDebianRoot } from './debian-root.ts';
import { type LabImageRecipe, listLabImageRecipes } from './lab-image-recipes.ts';
import { labVersions } from './lab-versions.ts';
import { runtimeRootSpec } from './runtime-root.ts';

// Assembles the lab's images with umoci in one OCI layout (cacheDir('lab','oci')): the Debian
// runtime root is inserted once as the base layer, each image adds one small layer of its own
// files, so the registry and the nodes hold the large layer once. Each image is then copied into
// the mirror's registry storage (publishToMirror), once per content hash. Idempotent.

const imageRevision = 1;

export interface LabImage {
  name: string;
  reference: string;
}

async function umoci(args: string[]): Promise<string> {
  const result = await execa('umoci', args, { reject: false, all: true });
  if ((result as { code?: string }).code === 'ENOENT')
    throw new ToolMissingError('umoci', 'apt-get install umoci');
  if (result.exitCode !== 0)
    throw new KvError('TOOL_FAILED', `umoci ${args[0]} failed: ${String(result.all).trim()}`);
  return String(result.stdout);
}

async function layoutTags(layout: string): Promise<Set<string>> {
  if (!existsSync(path.join(layout, 'index.json'))) return new Set();
  return new Set((await umoci(['ls', '--layout', layout])).split('\n').filter(Boolean));
}

const created = '1970-01-01T00:00:00Z';

function moduleDir(module: 'kubevirt' | 'cdi'): string {
  const gomodcache = process.env.GOMODCACHE ?? path.join(os.homedir(), 'go', 'pkg', 'mod');
  return module === 'kubevirt'
    ? path.join(gomodcache, 'kubevirt.io', `kubevirt@v${labVersions.kubevirt.version}`)
    : path.join(gomodcache, 'kubevirt.io', `containerized-data-importer@v${labVersions.cdi.version}`);
}

function sourceOf(from: string, binDir: string): string {
  const [kind, rest] = [from.slice(0, from.indexOf(':')), from.slice(from.indexOf(':') + 1)];
  if (kind === 'bin') return path.join(binDir, rest);
  if (kind === 'kubevirt' || kind === 'cdi') return path.join(moduleDir(kind), rest);
  if (kind === 'lab') return fileURLToPath(new URL(`image-files/${rest}`, import.meta.url));
  throw new KvError('INTERNAL', `unknown file source ${from} in a lab image recipe`);
}

// The base image: the runtime root as one layer, tagged by the root's own cache key.
async function ensureBase(layout: string, root: string, progress: ProgressReporter): Promise<string> {
  const tag = `base-${path.basename(root)}`;
  if ((await layoutTags(layout)).has(tag)) return tag;
  const started = Date.now();
  progress(`runtime base: inserting ${root} as one layer (a minute or two)`);
  await umoci(['new', '--image', `${layout}:${tag}`]);
  await umoci(['insert', '--image', `${layout}:${tag}`, '--history.created', created, root, '/']);
  progress(`runtime base: ${tag} in ${formatSeconds((Date.now() - started) / 1000)}`);
  return tag;
}

async function stageFiles(recipe: LabImageRecipe, binDir: string, root: string | undefined): Promise<string> {
  const stage = await mkdtemp(path.join(os.tmpdir(), `kvm-lab-image-${recipe.name}-`));
  await chmod(stage, 0o755);
  for (const file of recipe.files) {
    const target = path.join(stage, file.to);
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(sourceOf(file.from, binDir), target);
    await chmod(target, file.mode ?? (file.from.startsWith('bin:') ? 0o755 : 0o644));
  }
  if (recipe.launcherAccounts && root) {
    // KubeVirt's qemu.conf runs QEMU as qemu:qemu, uid and gid 107 (cmd/virt-launcher/BUILD.bazel).
    const passwd = await readFile(path.join(root, 'etc/passwd'), 'utf8');
    const group = await readFile(path.join(root, 'etc/group'), 'utf8');
    await mkdir(path.join(stage, 'etc'), { recursive: true });
    await writeFile(
      path.join(stage, 'etc/passwd'),
      `${passwd.trimEnd()}\nqemu:x:107:107:qemu:/home/qemu:/bin/bash\n`,
    );
    await writeFile(path.join(stage, 'etc/group'), `${group.trimEnd()}\nqemu:x:107:\n`);
    // virt-handler reads the launcher's sockets through /proc/<pid>/root/var/run: a relative link.
    await mkdir(path.join(stage, 'var'), { recursive: true });
    await symlink('../run', path.join(stage, 'var/run'));
    await mkdir(path.join(stage, 'home/qemu'), { recursive: true });
  }
  if (!recipe.runtimeBase) await addBusybox(stage);
  return stage;
}

export async function buildLabImages(progress: ProgressReporter): Promise<LabImage[]> {
  const binDir = path.join(labArtifactDir(), 'bin');
  const recipes = listLabImageRecipes();
  const layout = cacheDir('lab', 'oci');
  await mkdir(path.dirname(layout), { recursive: true });
  if (!existsSync(path.join(layout, 'index.json'))) await umoci(['init', '--layout', layout]);
  const root = recipes.some((r) => r.runtimeBase)
    ? await ensureDebianRoot(runtimeRootSpec, progress)
    : undefined;
  const base = root ? await ensureBase(layout, root, progress) : undefined;
  const images: LabImage[] = [];
  for (const recipe of recipes) {
    const missing = recipe.files.filter((f) => !existsSync(sourceOf(f.from, binDir))).map((f) => f.from);
    if (missing.length) {
      progress(`${recipe.name} image: skipped, ${missing.join(', ')} not built (kvmatrix lab build)`);
      continue;
    }
    const inputs = await Promise.all(recipe.files.map((f) => hashFile(sourceOf(f.from, binDir))));
    const hash = hashRecipe({ imageRevision, recipe, inputs, base: recipe.runtimeBase ? base : 'scratch' });
    const tag = `${recipe.name}-${hash}`;
    const reference = `${recipe.repository}/${recipe.name}:${recipe.tag}`;
    if (!(await layoutTags(layout)).has(tag)) {
      const started = Date.now();
      const stage = await stageFiles(recipe, binDir, root);
      try {
        const config = ['config', '--image', `${layout}:${recipe.runtimeBase ? base : tag}`];
        if (recipe.runtimeBase) config.push('--tag', tag);
        else await umoci(['new', '--image', `${layout}:${tag}`]);
        await umoci([...config, '--created', created, '--author', 'kvmatrix', '--history.created', created]);
        await umoci(['insert', '--image', `${layout}:${tag}`, '--history.created', created, stage, '/']);
        const settings = [
          'config',
          '--image',
          `${layout}:${tag}`,
          '--os',
          'linux',
          '--architecture',
          'amd64',
        ];
        settings.push('--config.env', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
        for (const part of recipe.entrypoint) settings.push('--config.entrypoint', part);
        if (recipe.user) settings.push('--config.user', recipe.user);
        settings.push('--created', created, '--history.created', created);
        await umoci(settings);
      } finally {
        await rm(stage, { recursive: true, force: true });
      }
      progress(`${reference}: assembled in ${formatSeconds((Date.now() - started) / 1000)}`);
    }
    await publishToMirror(`oci:${layout}:${tag}`, reference, `kubevirt-lab-${tag}.pushed`);
    images.push({ name: recipe.name, reference });
  }
  return images;
}
