import { describe, expect, it } from 'vitest';
import type { ResolvedCell } from '../matrix/model.ts';
import { gateConcurrency } from './gate.ts';

const cell = (machines: number, memoryMiB: number) =>
  ({
    layout: {
      id: 'x',
      nodes: Array.from({ length: machines }, (_, i) => ({ name: `n${i}`, roles: ['worker'] })),
    },
    machine: { cpus: 2, memoryMiB, diskGiB: 10 },
  }) as unknown as ResolvedCell;

describe('gateConcurrency', () => {
  it('runs one cell at a time on a 2-core machine', () => {
    expect(gateConcurrency([cell(1, 2048)], 2, 24_576)).toBe(1);
  });

  it('is bounded by memory for wide cells and by cores for small ones', () => {
    expect(gateConcurrency([cell(1, 2048)], 16, 24_576)).toBe(8);
    expect(gateConcurrency([cell(6, 3072)], 16, 24_576)).toBe(1);
    expect(gateConcurrency([cell(2, 2048)], 16, 24_576)).toBe(4);
  });

  it('never drops below one', () => {
    expect(gateConcurrency([cell(10, 8192)], 1, 1024)).toBe(1);
  });
});
