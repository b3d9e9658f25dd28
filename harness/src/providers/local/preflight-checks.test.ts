import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OS } from './golden-image.ts';
import { checkGoldenImages, nearestExistingDir } from './preflight-checks.ts';

describe('the shared preflight checks', () => {
  it('measures a dir that does not exist yet at its nearest existing ancestor', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kvm-preflight-'));
    try {
      expect(await nearestExistingDir(path.join(dir, 'a', 'b'))).toBe(dir);
      expect(await nearestExistingDir(dir)).toBe(dir);
      expect(await nearestExistingDir('/')).toBe('/');
      expect(await nearestExistingDir('kvm-preflight-missing/x')).toBe(process.cwd());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('checks the image of each OS once, and the default OS when there are no machines yet', async () => {
    const spec = (name: string, os: string) => ({ name, roles: [], os, cpus: 1, memoryMiB: 512, diskGiB: 4 });
    expect((await checkGoldenImages([])).map((c) => c.name)).toEqual([`image ${DEFAULT_OS}`]);
    const checks = await checkGoldenImages([spec('a', 'debian12'), spec('b', 'debian12'), spec('c', 'nope')]);
    expect(checks.map((c) => c.name)).toEqual(['image debian12', 'image nope']);
    expect(checks[1]).toMatchObject({ ok: false, hint: 'use debian12 or debian13' });
  });
});
