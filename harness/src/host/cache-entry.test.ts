import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureCacheEntry, isCacheEntryComplete, nearestExistingDir } from './cache-entry.ts';

let scratch: string;
beforeEach(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'kvm-cache-entry-'));
});
afterEach(() => rm(scratch, { recursive: true, force: true }));

describe('ensureCacheEntry', () => {
  it('creates every missing parent folder of a file entry before it locks and builds', async () => {
    const entry = path.join(scratch, 'never', 'made', 'image.tar');
    const result = await ensureCacheEntry(entry, (partial) => writeFile(partial, 'built'));
    expect(result.built).toBe(true);
    expect(await readFile(entry, 'utf8')).toBe('built');
    // Neither the lock nor the partial stays beside the entry.
    expect(await readdir(path.dirname(entry))).toEqual(['image.tar']);
  });

  it('builds a marker entry in place and writes the marker after the build', async () => {
    const entry = path.join(scratch, 'a', 'b', 'snapshot');
    const seen: string[] = [];
    await ensureCacheEntry(
      entry,
      async (target) => {
        seen.push(target);
        expect(await isCacheEntryComplete(entry, 'ready')).toBe(false);
        await writeFile(path.join(target, 'disk'), 'x');
      },
      { marker: 'ready' },
    );
    expect(seen).toEqual([entry]);
    expect((await readdir(entry)).sort()).toEqual(['disk', 'ready']);
  });

  it('builds once when parallel callers race for the same entry', async () => {
    const entry = path.join(scratch, 'cold', 'entry');
    let builds = 0;
    const build = async (partial: string) => {
      builds += 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
      await writeFile(partial, 'once');
    };
    const results = await Promise.all([1, 2, 3].map(() => ensureCacheEntry(entry, build)));
    expect(builds).toBe(1);
    expect(results.filter((r) => r.built)).toHaveLength(1);
  });

  it('leaves nothing that looks complete when the build fails, and builds again next time', async () => {
    const entry = path.join(scratch, 'x', 'image');
    await expect(
      ensureCacheEntry(
        entry,
        async (target) => {
          await writeFile(path.join(target, 'half'), 'x');
          throw new Error('debootstrap failed');
        },
        { marker: 'done' },
      ),
    ).rejects.toThrow('debootstrap failed');
    expect(await isCacheEntryComplete(entry, 'done')).toBe(false);
    expect(await readdir(path.dirname(entry))).toEqual([]);
    const again = await ensureCacheEntry(entry, async () => {}, { marker: 'done' });
    expect(again.built).toBe(true);
  });

  it('does not call the build when the entry is complete', async () => {
    const entry = path.join(scratch, 'done');
    await writeFile(entry, 'cached');
    const result = await ensureCacheEntry(entry, () => Promise.reject(new Error('must not build')));
    expect(result).toEqual({ path: entry, built: false, seconds: 0 });
  });
});

describe('nearestExistingDir', () => {
  it('finds the nearest folder that exists above one that does not', async () => {
    expect(await nearestExistingDir(path.join(scratch, 'a', 'b'))).toBe(scratch);
    expect(await nearestExistingDir(scratch)).toBe(scratch);
    expect(await nearestExistingDir('/')).toBe('/');
    expect(await nearestExistingDir('kvm-cache-entry-missing/x')).toBe(process.cwd());
  });
});
