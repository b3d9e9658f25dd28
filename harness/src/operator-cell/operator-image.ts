import { createHash } from 'node:crypto';
import { access, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { publishToMirror } from '../artifacts/push-images.ts';
import { InfrastructureError, KvError, ToolMissingError } from '../contracts/errors.ts';
import { ensureCacheEntry } from '../host/cache-entry.ts';
import { cacheDir, repoRoot } from '../host/paths.ts';
import { listPackageClosure } from './node-closure.ts';

// The operator's image, which is also the image of its playbook Jobs: the executor image of
// operator/executor/build-executor.sh (Debian, ansible-core; slow to build, cached by the hash of
// the script and the ansible-core pin) plus a thin layer, rebuilt whenever its inputs change:
// Node.js 24 (the `node` devDependency's binary), operator/ sources, the libraries they import,
// the current playbooks/ and the kubeconfig publishing play. Both archives live under
// ~/.cache/kvmatrix/images/operator/.
export const OPERATOR_REPOSITORY = 'kvmatrix/operator';
export const IMAGE_ROOT = '/opt/kvmatrix';
export const PUBLISH_KUBECONFIG_PLAYBOOK = `${IMAGE_ROOT}/operator/executor/publish-kubeconfig.yml`;
const OPERATOR_PACKAGES = ['@kubernetes/client-node', 'ajv', 'commander', 'yaml'];
const LAYER_SOURCES = [
  'playbooks',
  'operator/src',
  'operator/config',
  'operator/executor',
  // The stage contracts the operator shares with the harness (they import nothing else).
  'harness/src/contracts',
];

export interface OperatorImage {
  archive: string;
  tag: string;
}

export type ImageLog = (line: string) => void;

function imageDir(): string {
  return cacheDir('images', 'operator');
}

// Builds the executor base image once per build script and ansible-core pin.
export async function ensureExecutorBase(log: ImageLog): Promise<string> {
  const script = path.join(repoRoot, 'operator', 'executor', 'build-executor.sh');
  const pin =
    (await readFile(path.join(repoRoot, 'harness', 'setup', 'requirements.txt'), 'utf8'))
      .split('\n')
      .find((l) => l.startsWith('ansible-core==')) ?? '';
  const key = createHash('sha256')
    .update(await readFile(script))
    .update(pin)
    .digest('hex')
    .slice(0, 12);
  const archive = path.join(imageDir(), `executor-base-${key}.oci.tar`);
  await ensureCacheEntry(
    archive,
    async (partial) => {
      const result = await execa(
        'nice',
        ['-n', '10', 'bash', script, '--output', partial, '--tag', `kvm-base-${key}-${process.pid}`],
        { reject: false, all: true, env: { STORAGE_DRIVER: await storageDriver() } },
      );
      if (result.exitCode !== 0) {
        throw new InfrastructureError(
          `building the executor image failed: ${String(result.all).trim().split('\n').slice(-5).join(' | ')}`,
          { hint: `run operator/executor/build-executor.sh by hand to see the whole log` },
        );
      }
    },
    {
      onBuild: () =>
        log(`building the executor base image (debootstrap + ansible-core; minutes, once): ${archive}`),
    },
  );
  return archive;
}

// Builds the operator image on top of the executor base; cached by the hash of every input.
export async function buildOperatorImage(log: ImageLog): Promise<OperatorImage> {
  const base = await ensureExecutorBase(log);
  const node = path.join(repoRoot, 'node_modules', 'node', 'bin', 'node');
  await access(node).catch(() => {
    throw new ToolMissingError('node_modules/node/bin/node', 'npm ci (the `node` devDependency)');
  });
  const packages = await listPackageClosure(repoRoot, OPERATOR_PACKAGES);
  const hash = createHash('sha256').update(path.basename(base));
  const nodeStat = await stat(node);
  hash.update(`node:${nodeStat.size}:${nodeStat.mtimeMs}`);
  for (const source of LAYER_SOURCES) await hashTree(hash, path.join(repoRoot, source), source);
  for (const pkg of packages) {
    hash.update(pkg);
    hash.update(await readFile(path.join(repoRoot, pkg, 'package.json')));
  }
  const tag = hash.digest('hex').slice(0, 12);
  const archive = path.join(imageDir(), `operator-${tag}.oci.tar`);
  const entry = await ensureCacheEntry(
    archive,
    (partial) => packOperatorLayer(base, node, packages, tag, partial),
    {
      onBuild: () => log(`building the operator image ${OPERATOR_REPOSITORY}:${tag}`),
    },
  );
  if (entry.built) await pruneOperatorImages(archive);
  return { archive, tag };
}

// The thin layer over the executor base, pushed to `partial` as an OCI archive.
async function packOperatorLayer(
  base: string,
  node: string,
  packages: string[],
  tag: string,
  partial: string,
): Promise<void> {
  const env = { ...process.env, STORAGE_DRIVER: await storageDriver() };
  const buildah = (args: string[]) => execa('buildah', args, { env, all: true });
  const name = `kvm-operator-image-${tag}-${process.pid}`;
  const image = `localhost/kvm-operator-image:${tag}-${process.pid}`;
  await buildah(['from', '--quiet', '--name', name, `oci-archive:${base}`]).catch(toolError);
  const baseId = String(
    (await buildah(['inspect', '--format', '{{.FromImageID}}', name]).catch(toolError)).stdout,
  ).trim();
  let committed = false;
  try {
    const mnt = String((await buildah(['mount', name])).stdout).trim();
    const root = path.join(mnt, IMAGE_ROOT.slice(1));
    await execa('rm', ['-rf', path.join(root, 'playbooks'), path.join(root, 'operator')]);
    await execa('install', ['-D', '-m', '0755', node, path.join(mnt, 'usr/local/bin/node')]);
    for (const rel of [...LAYER_SOURCES, ...packages]) {
      await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
      await execa('cp', ['-a', path.join(repoRoot, rel), path.join(root, rel)]);
    }
    // The sources are ES modules run by Node's type stripping.
    await writeFile(path.join(root, 'package.json'), '{ "type": "module", "private": true }\n');
    await execa('find', [path.join(root, 'operator'), '-name', '*.test.ts', '-delete']);
    await buildah(['umount', name]);
    await buildah([
      'config',
      '--env',
      `ANSIBLE_CONFIG=${IMAGE_ROOT}/playbooks/ansible.cfg`,
      '--workingdir',
      `${IMAGE_ROOT}/playbooks`,
      '--label',
      'org.opencontainers.image.title=kvmatrix-operator',
      '--label',
      'org.opencontainers.image.description=kvmatrix operator (Node.js) and its playbook executor (ansible-core, playbooks/)',
      name,
    ]);
    await buildah(['commit', '--quiet', '--rm', name, image]);
    committed = true;
    await buildah(['push', '--quiet', image, `oci-archive:${partial}:${OPERATOR_REPOSITORY}:${tag}`]);
  } catch (error) {
    throw error instanceof KvError ? error : toolError(error);
  } finally {
    if (!committed) await execa('buildah', ['rm', name], { env, reject: false });
    await execa('buildah', ['rmi', image], { env, reject: false });
    if (baseId) await execa('buildah', ['rmi', baseId], { env, reject: false });
  }
}

// Only the newest operator layer is kept (each is about 190 MB); the executor base stays.
async function pruneOperatorImages(keep: string): Promise<void> {
  for (const name of await readdir(imageDir())) {
    if (/^operator-[0-9a-f]{12}\.oci\.tar$/.test(name) && path.join(imageDir(), name) !== keep)
      await rm(path.join(imageDir(), name), { force: true });
  }
}

// Puts the image into the mirror's registry storage once per tag, as the probe image is.
export function publishOperatorImage(image: OperatorImage): Promise<string> {
  return publishToMirror(
    `oci-archive:${image.archive}`,
    `${OPERATOR_REPOSITORY}:${image.tag}`,
    `.operator-pushed-${image.tag}`,
  );
}

// buildah must use the storage driver the host's containers storage already has (podman's).
async function storageDriver(): Promise<string> {
  if (process.env.STORAGE_DRIVER) return process.env.STORAGE_DRIVER;
  const r = await execa('buildah', ['info', '--format', '{{.store.GraphDriverName}}'], { reject: false });
  if ((r as { code?: string }).code === 'ENOENT')
    throw new ToolMissingError('buildah', 'apt-get install buildah');
  return String(r.stdout).trim() || 'overlay';
}

async function hashTree(hash: ReturnType<typeof createHash>, abs: string, rel: string): Promise<void> {
  const info = await stat(abs);
  if (info.isFile()) {
    hash.update(`${rel}\0`);
    hash.update(await readFile(abs));
    return;
  }
  for (const entry of (await readdir(abs)).sort())
    await hashTree(hash, path.join(abs, entry), `${rel}/${entry}`);
}

function toolError(error: unknown): never {
  const text = String((error as { all?: string }).all ?? (error as Error).message ?? error).trim();
  throw new InfrastructureError(`building or publishing the operator image failed: ${text.slice(-600)}`, {
    hint: 'check `buildah images` and free disk space under /var/lib/containers',
  });
}
