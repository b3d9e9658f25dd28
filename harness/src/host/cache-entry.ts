import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type FileLockOptions, withFileLock } from './file-lock.ts';

export interface CacheEntryOptions {
  // Build the entry in place, complete once this file inside it exists (the helper writes it
  // after `build` resolved, unless `build` wrote it). Without it the entry is built at a private
  // partial path beside it and renamed into place: the entry exists only when complete.
  marker?: string;
  // Called once, before a build, with what is about to be built (not when the entry is cached).
  onBuild?: () => void;
  lock?: FileLockOptions;
}

export interface CacheEntry {
  path: string;
  built: boolean;
  seconds: number;
}

// The dir itself when it exists, else its nearest existing ancestor: where a dir that `up` will
// create takes its space from.
export async function nearestExistingDir(dir: string): Promise<string> {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if (current === path.dirname(current)) return current;
    const exists = await access(current).then(
      () => true,
      () => false,
    );
    if (exists) return current;
  }
}

export async function isCacheEntryComplete(entry: string, marker?: string): Promise<boolean> {
  return access(marker ? path.join(entry, marker) : entry).then(
    () => true,
    () => false,
  );
}

// The one way to fill an entry under the cache, state or run folders (a folder or a file): its
// parent folders are made first, concurrent builders are serialised by `<entry>.lock` beside it
// (a dead holder's lock is taken over), and a build that fails or is killed never leaves an entry
// that looks complete. Idempotent and safe from parallel processes; cheap when the entry exists.
export async function ensureCacheEntry(
  entry: string,
  build: (target: string) => Promise<void>,
  options: CacheEntryOptions = {},
): Promise<CacheEntry> {
  const { marker } = options;
  if (await isCacheEntryComplete(entry, marker)) return { path: entry, built: false, seconds: 0 };
  await mkdir(path.dirname(entry), { recursive: true });
  return withFileLock(
    `${entry}.lock`,
    async () => {
      // Another process may have built it while this one waited for the lock.
      if (await isCacheEntryComplete(entry, marker)) return { path: entry, built: false, seconds: 0 };
      options.onBuild?.();
      const started = Date.now();
      const target = marker ? entry : `${entry}.partial-${process.pid}`;
      await rm(target, { recursive: true, force: true });
      if (marker) await mkdir(entry, { recursive: true });
      try {
        await build(target);
        if (marker) {
          if (!(await isCacheEntryComplete(entry, marker))) await writeFile(path.join(entry, marker), '');
        } else {
          await rm(entry, { recursive: true, force: true });
          await rename(target, entry);
        }
      } catch (error) {
        await rm(target, { recursive: true, force: true });
        throw error;
      }
      return { path: entry, built: true, seconds: (Date.now() - started) / 1000 };
    },
    options.lock,
  );
}
