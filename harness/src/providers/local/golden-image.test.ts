import { describe, expect, it } from 'vitest';
import { describeGoldenImage, imageRecipeHash, normalizeOs } from './golden-image.ts';

describe('golden node images', () => {
  it('accepts the spellings of an OS a matrix may use', () => {
    expect(normalizeOs('debian-12')).toBe('debian12');
    expect(normalizeOs('Debian 12')).toBe('debian12');
    expect(normalizeOs('trixie')).toBe('debian13');
  });

  it('rejects an OS it cannot build, naming the ones it can', () => {
    expect(() => normalizeOs('rocky9')).toThrow(/OS "rocky9" has no golden node image/);
  });

  it('keys the cache by recipe and suite', async () => {
    expect(await imageRecipeHash('debian12')).not.toBe(await imageRecipeHash('debian13'));
    const image = await describeGoldenImage('debian12');
    expect(image.dir).toContain(`debian12-${image.hash}`);
  });
});
