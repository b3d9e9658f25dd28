import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ensureCacheEntry } from '../host/cache-entry.ts';
import { cacheDir, repoRoot } from '../host/paths.ts';
import { runToolOk } from '../host/run-tool.ts';

// Debian root file systems of the lab (harness/images/build-debian-root.sh): debootstrap of a
// package set, optionally with source packages unpacked under /usr/src. Cached by the script and
// its arguments through ensureCacheEntry (locked, never half-built).

export const debianRootScript = path.join(repoRoot, 'harness', 'images', 'build-debian-root.sh');

export interface DebianRootSpec {
  // Part of the directory name, for people: "build", "runtime".
  name: string;
  suite: string;
  packages: string[];
  // Source packages as `name=version`, unpacked to /usr/src/<name>.
  sources?: string[];
}

export async function debianRootDir(spec: DebianRootSpec): Promise<string> {
  const script = await readFile(debianRootScript, 'utf8');
  const key = JSON.stringify([spec.suite, [...spec.packages].sort(), spec.sources ?? []]);
  const hash = createHash('sha256').update(`${script}\n${key}`).digest('hex').slice(0, 12);
  return cacheDir('lab', 'roots', `${spec.name}-${spec.suite}-${hash}`);
}

// Returns the root's directory, building it first when it is not cached (3-6 minutes).
export async function ensureDebianRoot(spec: DebianRootSpec, log: (line: string) => void): Promise<string> {
  const dir = await debianRootDir(spec);
  await ensureCacheEntry(
    dir,
    (target) =>
      runToolOk(
        'bash',
        [debianRootScript, spec.suite, target, spec.packages.join(','), ...(spec.sources ?? [])],
        {
          what: `building the ${spec.name} Debian root`,
          hint: 'needs root, debootstrap and access to the Debian mirror',
          timeoutMs: 40 * 60_000,
        },
      ).then(() => {}),
    {
      onBuild: () => log(`debootstrap of the ${spec.name} root (${spec.suite}): a few minutes, cached after`),
    },
  );
  return dir;
}

// Runs a command chrooted into `root` inside a private mount namespace, in `cwd`, with `binds`
// (host paths, `cwd` among them) mounted at the same paths: nothing stays mounted on the host
// when it ends, even if it is killed. For execa: returns the program and arguments.
export function chrootCommand(
  root: string,
  binds: string[],
  cwd: string,
  file: string,
  args: string[],
): [string, string[]] {
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const mounts = binds.map(
    (dir) => `mkdir -p ${quote(root + dir)} && mount --bind ${quote(dir)} ${quote(root + dir)}`,
  );
  const inner = `cd ${quote(cwd)} && exec "$@"`;
  const script = [
    'set -e',
    ...mounts,
    `mount -t proc proc ${quote(`${root}/proc`)}`,
    `exec chroot ${quote(root)} sh -c ${quote(inner)} chroot-cmd ${[file, ...args].map(quote).join(' ')}`,
  ].join('\n');
  return ['unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script]];
}
