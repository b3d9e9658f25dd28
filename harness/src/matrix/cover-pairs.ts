import { coverInteractions } from './cover-interactions.ts';

// An all-pairs (strength 2) covering set of the candidate rows, as row indexes in input order;
// see cover-interactions.ts for the algorithm and its options (strength, budget, seeds).
export function coverPairs(rows: ReadonlyArray<ArrayLike<number>>, sizes: readonly number[]): number[] {
  if (rows.length === 0) return [];
  if (sizes.length === 0) return [0];
  return coverInteractions(rows, sizes).picked.sort((a, b) => a - b);
}
