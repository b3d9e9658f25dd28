import { describe, expect, it } from 'vitest';
import { coverPairs } from './cover-pairs.ts';
import { loadMatrix } from './load-matrix.ts';
import { selectTier } from './select-tier.ts';
import { readRepoFile, shippedMatrixFile } from './test-helpers.ts';

function product(sizes: number[]): number[][] {
  return sizes.reduce<number[][]>(
    (rows, size) => rows.flatMap((r) => Array.from({ length: size }, (_, v) => [...r, v])),
    [[]],
  );
}

function pairsOf(rows: number[][]): Set<string> {
  const pairs = new Set<string>();
  for (const row of rows) {
    for (let i = 0; i < row.length; i++)
      for (let j = i + 1; j < row.length; j++) pairs.add(`${i}=${row[i]},${j}=${row[j]}`);
  }
  return pairs;
}

// A small deterministic generator, so that the "random" cases are the same on every run.
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the pairwise covering set', () => {
  it('covers every pair of a full product with far fewer rows', () => {
    const sizes = [3, 3, 3, 3];
    const rows = product(sizes);
    const chosen = coverPairs(rows, sizes).map((i) => rows[i] as number[]);
    expect(pairsOf(chosen)).toEqual(pairsOf(rows));
    expect(chosen.length).toBeGreaterThanOrEqual(9);
    expect(chosen.length).toBeLessThanOrEqual(12);
  });

  it('covers every pair that occurs in a constrained candidate set, and only uses candidates', () => {
    const random = mulberry32(42);
    for (let round = 0; round < 20; round++) {
      const sizes = Array.from({ length: 3 + Math.floor(random() * 4) }, () => 1 + Math.floor(random() * 4));
      const rows = product(sizes).filter(() => random() > 0.4);
      const chosenIdx = coverPairs(rows, sizes);
      expect(new Set(chosenIdx).size).toBe(chosenIdx.length);
      const chosen = chosenIdx.map((i) => rows[i] as number[]);
      expect(pairsOf(chosen)).toEqual(pairsOf(rows));
      expect(chosenIdx).toEqual([...chosenIdx].sort((a, b) => a - b));
    }
  });

  it('gives the same answer for the same input', () => {
    const sizes = [4, 3, 5, 2, 3];
    const rows = product(sizes);
    expect(coverPairs(rows, sizes)).toEqual(coverPairs(rows, sizes));
  });

  it('handles no candidates and a single dimension', () => {
    expect(coverPairs([], [2, 2])).toEqual([]);
    expect(coverPairs([[0], [1], [1], [2]], [3])).toEqual([0, 1, 3]);
  });

  it('covers every pair of values and scenarios of the shipped matrix in the pr tier', () => {
    const matrix = loadMatrix(readRepoFile(shippedMatrixFile), shippedMatrixFile);
    const { cells, productCount } = selectTier(matrix, 'pr');
    const keys = [...matrix.definition.axes.map((a) => a.id), 'scenario'];
    const asPairs = (list: typeof cells) =>
      pairsOf(
        list.map((c) => keys.map((k) => (k === 'scenario' ? c.scenario : c.axes[k])) as unknown as number[]),
      );
    // The pr tier leaves the release-gating conformance scenario out (its exclude in matrix.yaml),
    // and, as every tier, the cells of values not verified here unless named.
    const eligible = matrix.cells.filter((c) => c.scenario !== 'conformance' && !c.unverified);
    expect(eligible.length).toBeLessThan(matrix.cells.length);
    expect(asPairs(cells)).toEqual(asPairs(eligible));
    expect(productCount).toBe(eligible.length);
    expect(cells.length * 5).toBeLessThan(productCount);
  });
});
