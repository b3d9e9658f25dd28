import { describe, expect, it } from 'vitest';
import { coverInteractions, interactionTuples, measureCoverage } from './cover-interactions.ts';

function product(sizes: number[]): number[][] {
  return sizes.reduce<number[][]>(
    (rows, size) => rows.flatMap((r) => Array.from({ length: size }, (_, v) => [...r, v])),
    [[]],
  );
}

function combosOf(rows: number[][], tuples: number[][]): Set<string> {
  const out = new Set<string>();
  for (const row of rows) for (const t of tuples) out.add(t.map((d) => `${d}=${row[d]}`).join(','));
  return out;
}

describe('the t-way covering set', () => {
  it('covers every triple of a product at strength 3, with more rows than pairs need', () => {
    const sizes = [3, 3, 3, 2, 2];
    const rows = product(sizes);
    const triples = coverInteractions(rows, sizes, { strength: 3 });
    const pairs = coverInteractions(rows, sizes);
    const tuples = interactionTuples(sizes.length, { strength: 3 });
    expect(tuples).toHaveLength(10);
    expect(
      combosOf(
        triples.picked.map((i) => rows[i] as number[]),
        tuples,
      ),
    ).toEqual(combosOf(rows, tuples));
    expect(triples.covered).toBe(triples.required);
    expect(triples.picked.length).toBeGreaterThanOrEqual(27);
    expect(triples.picked.length).toBeGreaterThan(pairs.picked.length);
  });

  it('covers triples within a group and pairs elsewhere (mixed strength)', () => {
    const sizes = [3, 3, 3, 3, 3];
    const rows = product(sizes);
    const mixed = coverInteractions(rows, sizes, { groups: [{ dims: [0, 1, 2], strength: 3 }] });
    const chosen = mixed.picked.map((i) => rows[i] as number[]);
    expect(combosOf(chosen, [[0, 1, 2]]).size).toBe(27);
    expect(measureCoverage(rows, chosen, sizes)).toEqual({ required: 90, covered: 90 });
    // triples across the group's border are not required
    expect(combosOf(chosen, [[2, 3, 4]]).size).toBeLessThan(27);
  });

  it('stops at the budget in the greedy order: every prefix is the best the greedy found', () => {
    const sizes = [4, 4, 3, 3, 2];
    const rows = product(sizes);
    const full = coverInteractions(rows, sizes);
    for (const budget of [1, 5, 10]) {
      const cut = coverInteractions(rows, sizes, { maxRows: budget });
      expect(cut.picked).toEqual(full.picked.slice(0, budget));
      expect(cut.covered).toBeLessThan(cut.required);
      expect(cut.covered).toBe(
        measureCoverage(
          rows,
          cut.picked.map((i) => rows[i] as number[]),
          sizes,
        ).covered,
      );
    }
    // the first row covers one pair of every dimension pair
    expect(coverInteractions(rows, sizes, { maxRows: 1 }).covered).toBe(10);
  });

  it('starts from the seeds: what they cover is not picked again', () => {
    const sizes = [2, 2, 2];
    const rows = product(sizes);
    const seeds = [[1, 1, 1]];
    const seeded = coverInteractions(rows, sizes, { seeds });
    expect(seeded.picked).not.toContain(7);
    const chosen = [...seeds, ...seeded.picked.map((i) => rows[i] as number[])];
    expect(measureCoverage(rows, chosen, sizes)).toEqual({ required: 12, covered: 12 });
    // a seed outside the candidates adds nothing to what must be covered
    const few = [rows[0] as number[], rows[3] as number[]];
    expect(coverInteractions(few, sizes, { seeds: [[1, 1, 1]] }).required).toBe(
      coverInteractions(few, sizes).required,
    );
  });
});
