import { describe, expect, it } from 'vitest';
import { DEFAULT_OS } from './golden-image.ts';
import { checkGoldenImages } from './preflight-checks.ts';

describe('the shared preflight checks', () => {
  it('checks the image of each OS once, and the default OS when there are no machines yet', async () => {
    const spec = (name: string, os: string) => ({ name, roles: [], os, cpus: 1, memoryMiB: 512, diskGiB: 4 });
    expect((await checkGoldenImages([])).map((c) => c.name)).toEqual([`image ${DEFAULT_OS}`]);
    const checks = await checkGoldenImages([spec('a', 'debian12'), spec('b', 'debian12'), spec('c', 'nope')]);
    expect(checks.map((c) => c.name)).toEqual(['image debian12', 'image nope']);
    expect(checks[1]).toMatchObject({ ok: false, hint: 'use debian12 or debian13' });
  });
});
