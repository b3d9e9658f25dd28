import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { KvError, ToolMissingError } from '../contracts/errors.ts';
import { formatSeconds, type ProgressReporter } from '../host/progress.ts';
import type { ArtifactSet } from './build-artifacts.ts';
import { listE2eImageRecipes } from './e2e-images.ts';
import { type ArtifactManifest, hashFile, hashRecipe, writeManifest } from './manifest.ts';
import { buildOciArchive } from './oci-image.ts';
import { addIptables, placeFiles, type RootfsFile } from './rootfs.ts';
import { addonVersions } from './versions.ts';

// The OCI images kubeadm runs as pods, built from the artifact set's own binaries, named as
// kubeadm asks for them under `imageRepository: <registry>/kubernetes`:
// kube-apiserver|kube-controller-manager|kube-scheduler|kube-proxy:v<k8s>, etcd:<etcd>-0,
// coredns:v<coredns>, pause:<pause>; the addons beside them: metrics-server:v<version>.
// Cached: an image is rebuilt only when its inputs change.

const imageRevision = 1;
const pauseSource = fileURLToPath(new URL('pause/pause.c', import.meta.url));

export interface ImageRecipe {
  // Key in the manifest and archive name; also the image's name unless `image` says otherwise.
  name: string;
  image?: string;
  // Repository under the mirror (default "kubernetes", where kubeadm looks).
  repository?: string;
  tag: string;
  files: RootfsFile[];
  entrypoint: string[];
  cmd?: string[];
  iptables?: boolean;
  // More content from this host (busybox, curl, ...); `hostInputs` are the host files it copies,
  // whose contents are part of the image's cache key.
  prepare?: (rootfs: string) => Promise<void>;
  hostInputs?: string[];
  // Bumped when `prepare` changes: part of the cache key.
  revision?: number;
}

export function listImageRecipes(set: ArtifactSet): ImageRecipe[] {
  const { release } = set.manifest;
  const bin = (name: string) => path.join(set.binDir, name);
  const kube = (name: string, iptables = false): ImageRecipe => ({
    name,
    tag: `v${release.kubernetes}`,
    files: [{ src: bin(name), dest: `/usr/local/bin/${name}` }],
    entrypoint: [`/usr/local/bin/${name}`],
    iptables,
  });
  return [
    kube('kube-apiserver'),
    kube('kube-controller-manager'),
    kube('kube-scheduler'),
    kube('kube-proxy', true),
    {
      name: 'etcd',
      tag: release.etcdImageTag,
      files: ['etcd', 'etcdctl'].map((name) => ({ src: bin(name), dest: `/usr/local/bin/${name}` })),
      entrypoint: ['/usr/local/bin/etcd'],
    },
    {
      name: 'coredns',
      tag: `v${release.coredns}`,
      files: [{ src: bin('coredns'), dest: '/coredns' }],
      entrypoint: ['/coredns'],
    },
    {
      name: 'pause',
      tag: release.pause,
      files: [{ src: bin('pause'), dest: '/pause' }],
      entrypoint: ['/pause'],
    },
    // An addon, deployed by the playbooks' addons role from the mirror (as upstream's image: the
    // binary at /metrics-server, run as nobody by the Deployment's securityContext).
    {
      name: 'metrics-server',
      tag: `v${addonVersions.metricsServer}`,
      files: [{ src: bin('metrics-server'), dest: '/metrics-server' }],
      entrypoint: ['/metrics-server'],
    },
    ...listE2eImageRecipes(set),
  ];
}

// Compiles the pause program statically, so the pause image needs no libc.
export async function buildPause(outFile: string, version: string): Promise<void> {
  const result = await execa(
    'gcc',
    ['-static', '-Os', '-s', '-Wall', `-DPAUSE_VERSION="${version}"`, '-o', outFile, pauseSource],
    { reject: false, all: true },
  );
  if ((result as { code?: string }).code === 'ENOENT') {
    throw new ToolMissingError('gcc', 'apt-get install gcc libc6-dev (the pause image is compiled from C)');
  }
  if (result.exitCode !== 0) throw new KvError('TOOL_FAILED', `gcc pause.c failed: ${String(result.all)}`);
}

async function inputHash(recipe: ImageRecipe, manifest: ArtifactManifest): Promise<string> {
  const inputs = await Promise.all(
    recipe.files.map(
      async (f) => manifest.files[`bin/${path.basename(f.src)}`]?.sha256 ?? (await hashFile(f.src)),
    ),
  );
  const { prepare, hostInputs, ...data } = recipe;
  if (hostInputs) inputs.push(...(await Promise.all(hostInputs.map((file) => hashFile(file)))));
  return hashRecipe({ imageRevision, recipe: { ...data, files: recipe.files.map((f) => f.dest) }, inputs });
}

export async function buildImages(set: ArtifactSet, progress: ProgressReporter): Promise<ArtifactSet> {
  const { manifest } = set;
  const imagesDir = path.join(set.dir, 'images');
  await mkdir(imagesDir, { recursive: true });
  const pauseBin = path.join(set.binDir, 'pause');
  const pauseHash = hashRecipe({ source: await hashFile(pauseSource), version: manifest.release.pause });
  if (!existsSync(pauseBin) || manifest.components.pause?.recipeHash !== pauseHash) {
    progress(`pause: compiling ${path.basename(pauseSource)}`);
    await buildPause(pauseBin, manifest.release.pause);
    manifest.files['bin/pause'] = {
      sha256: await hashFile(pauseBin),
      size: (await stat(pauseBin)).size,
      source: 'kvmatrix:harness/src/artifacts/pause/pause.c',
    };
    manifest.components.pause = {
      recipeHash: pauseHash,
      files: ['bin/pause'],
      builtWith: 'gcc -static',
      seconds: 0,
    };
    await writeManifest(set.dir, manifest);
  }
  for (const recipe of listImageRecipes(set)) {
    const missing = recipe.files.filter((f) => !existsSync(f.src)).map((f) => path.basename(f.src));
    if (missing.length) {
      progress(`${recipe.name} image: skipped, ${missing.join(', ')} not built`);
      continue;
    }
    const hash = await inputHash(recipe, manifest);
    const archive = `images/${recipe.name}.oci.tar`;
    const current = manifest.images[recipe.name];
    if (current?.inputHash === hash && existsSync(path.join(set.dir, archive))) continue;
    const started = Date.now();
    const rootfs = await mkdtemp(path.join(os.tmpdir(), `kvm-artifacts-rootfs-${recipe.name}-`));
    try {
      // mkdtemp makes 0700; the image's / must let non-root users in (specs run as uid 1000).
      await chmod(rootfs, 0o755);
      await placeFiles(rootfs, recipe.files);
      if (recipe.iptables) await addIptables(rootfs);
      if (recipe.prepare) await recipe.prepare(rootfs);
      const partial = path.join(set.dir, `${archive}.partial`);
      await buildOciArchive({
        rootfs,
        tag: recipe.tag,
        entrypoint: recipe.entrypoint,
        ...(recipe.cmd ? { cmd: recipe.cmd } : {}),
        created: '1970-01-01T00:00:00Z',
        outFile: partial,
      });
      await rename(partial, path.join(set.dir, archive));
    } finally {
      await rm(rootfs, { recursive: true, force: true });
    }
    manifest.images[recipe.name] = {
      archive,
      reference: `${recipe.repository ?? 'kubernetes'}/${recipe.image ?? recipe.name}:${recipe.tag}`,
      sha256: await hashFile(path.join(set.dir, archive)),
      inputHash: hash,
    };
    await writeManifest(set.dir, manifest);
    progress(
      `${recipe.name} image: ${recipe.repository ?? 'kubernetes'}/${recipe.image ?? recipe.name}:${recipe.tag} in ${formatSeconds((Date.now() - started) / 1000)}`,
    );
  }
  return set;
}
