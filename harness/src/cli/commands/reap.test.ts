import { describe, expect, it } from 'vitest';
import { parseDuration } from './reap.ts';

describe('the reap command', () => {
  it('reads ages in seconds, minutes, hours and days', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('3h')).toBe(3 * 3_600_000);
    expect(parseDuration('2d')).toBe(2 * 86_400_000);
  });

  it('rejects an age without a unit', () => {
    expect(() => parseDuration('3')).toThrow(/--older-than "3" is not valid/);
  });
});
