import { createHash } from 'node:crypto';
import { readFile, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../../contracts/errors.ts';
import { ensureCacheEntry, isCacheEntryComplete, nearestExistingDir } from '../../host/cache-entry.ts';
import { cacheDir, repoRoot } from '../../host/paths.ts';
import { runToolOk } from '../../host/run-tool.ts';

// The OS versions a golden node image can be built for here (debootstrap from Debian's mirror).
export const NODE_OS: Record<string, { suite: string; description: string }> = {
  debian12: { suite: 'bookworm', description: 'Debian 12 (bookworm)' },
  debian13: { suite: 'trixie', description: 'Debian 13 (trixie)' },
};

export const DEFAULT_OS = 'debian12';
export const buildScript = path.join(repoRoot, 'harness', 'images', 'build-node-image.sh');

// Accepts the spellings a matrix may use: debian12, debian-12, "Debian 12", bookworm.
export function normalizeOs(os: string): string {
  const key = os.toLowerCase().replace(/[^a-z0-9]/g, '');
  for (const [id, value] of Object.entries(NODE_OS)) {
    if (key === id || key === value.suite) return id;
  }
  throw new UsageError(`OS "${os}" has no golden node image`, {
    hint: `local providers build: ${Object.keys(NODE_OS).join(', ')}`,
  });
}

export interface GoldenImage {
  os: string;
  hash: string;
  dir: string;
  rootfsTar: string;
  disk: string;
  kernel: string;
  initrd: string;
}

// The cache key: the recipe (the build script) and the suite; any change rebuilds.
export async function imageRecipeHash(os: string): Promise<string> {
  const id = normalizeOs(os);
  const script = await readFile(buildScript, 'utf8');
  return createHash('sha256').update(`${NODE_OS[id]?.suite}\n${script}`).digest('hex').slice(0, 12);
}

export async function describeGoldenImage(os: string): Promise<GoldenImage> {
  const id = normalizeOs(os);
  const hash = await imageRecipeHash(id);
  const dir = cacheDir('images', `${id}-${hash}`);
  return {
    os: id,
    hash,
    dir,
    rootfsTar: path.join(dir, 'rootfs.tar'),
    disk: path.join(dir, 'disk.qcow2'),
    kernel: path.join(dir, 'vmlinuz'),
    initrd: path.join(dir, 'initrd.img'),
  };
}

export function isGoldenImageBuilt(image: GoldenImage): Promise<boolean> {
  return isCacheEntryComplete(image.dir, IMAGE_MARKER);
}

// The build script writes packages.txt last: its presence means the image is complete.
const IMAGE_MARKER = 'packages.txt';

// Builds the golden image once per recipe (about 2-3 minutes; cached afterwards). Safe to call
// from parallel processes and on an empty cache (ensureCacheEntry makes the folders and the lock).
export async function ensureGoldenImage(
  os: string,
  log: (line: string) => void = () => {},
): Promise<GoldenImage> {
  const image = await describeGoldenImage(os);
  if (await isGoldenImageBuilt(image)) return image;
  const base = await nearestExistingDir(cacheDir());
  const free = await statfs(base).then((s) => s.bavail * s.bsize);
  if (free < 6 * 2 ** 30) {
    throw new UsageError(`not enough free space in ${base} to build a node image (need 6 GiB)`, {
      hint: 'free some space or point KVMATRIX_CACHE_DIR elsewhere',
    });
  }
  const entry = await ensureCacheEntry(
    image.dir,
    (target) =>
      runToolOk('bash', [buildScript, NODE_OS[image.os]?.suite ?? '', target, cacheDir('images', 'debs')], {
        what: `building the ${image.os} node image`,
        hint: `the build script's output is above; it needs root, debootstrap and ${mirrorName()}`,
        timeoutMs: 30 * 60_000,
      }).then(() => undefined),
    {
      marker: IMAGE_MARKER,
      onBuild: () =>
        log(
          `building golden node image ${image.os} (${image.hash}) with debootstrap: 2-3 minutes, cached after`,
        ),
      lock: {
        timeoutMs: 30 * 60_000,
        onWait: (pid) => log(`waiting for another build of ${image.os} (pid ${pid})`),
      },
    },
  );
  if (entry.built) await writeFile(path.join(image.dir, 'build-seconds'), String(entry.seconds));
  return image;
}

function mirrorName(): string {
  return process.env.KVMATRIX_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
}
