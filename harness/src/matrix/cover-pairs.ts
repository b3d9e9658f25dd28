// An all-pairs (strength 2) covering set, chosen greedily from the candidate rows.
//
// Each row is one cell given as the index of its value in every dimension. A pair is two values
// of two different dimensions; only pairs that occur in some candidate need covering, so the
// excluded combinations and scenario restrictions are honoured by construction (a constrained
// AETG without the random restarts). Every round takes the row that covers the most pairs not yet
// covered; ties go to the earliest row, so the result depends only on the input order.
// Scores only fall as pairs get covered, so a row whose last score cannot beat the current best
// is skipped without recounting (lazy greedy): cost is about rounds x rows, fine up to ~10^6 rows.
export function coverPairs(rows: ReadonlyArray<ArrayLike<number>>, sizes: readonly number[]): number[] {
  const dims = sizes.length;
  if (rows.length === 0) return [];
  if (dims < 2) return firstRowPerValue(rows, sizes);

  const offsets: number[] = [];
  let pairCount = 0;
  for (let i = 0; i < dims; i++) {
    for (let j = i + 1; j < dims; j++) {
      offsets.push(pairCount);
      pairCount += (sizes[i] as number) * (sizes[j] as number);
    }
  }
  const perRow = (dims * (dims - 1)) / 2;
  const pairIds = new Int32Array(rows.length * perRow);
  const needed = new Uint8Array(pairCount);
  rows.forEach((row, r) => {
    let k = 0;
    for (let i = 0; i < dims; i++) {
      for (let j = i + 1; j < dims; j++) {
        const id = (offsets[k] as number) + (row[i] as number) * (sizes[j] as number) + (row[j] as number);
        pairIds[r * perRow + k] = id;
        needed[id] = 1;
        k++;
      }
    }
  });
  let uncovered = needed.reduce((n, x) => n + x, 0);
  const covered = new Uint8Array(pairCount);
  const score = new Int32Array(rows.length).fill(perRow);
  const chosen: number[] = [];
  while (uncovered > 0) {
    let best = -1;
    let bestScore = 0;
    for (let r = 0; r < rows.length; r++) {
      if ((score[r] as number) <= bestScore) continue;
      let s = 0;
      const base = r * perRow;
      for (let k = 0; k < perRow; k++) if (covered[pairIds[base + k] as number] === 0) s++;
      score[r] = s;
      if (s > bestScore) {
        bestScore = s;
        best = r;
      }
    }
    if (best < 0) break;
    chosen.push(best);
    const base = best * perRow;
    for (let k = 0; k < perRow; k++) {
      const id = pairIds[base + k] as number;
      if (covered[id] === 0) {
        covered[id] = 1;
        uncovered--;
      }
    }
    score[best] = 0;
  }
  return chosen.sort((a, b) => a - b);
}

// With a single dimension "all pairs" degenerates to "every value once".
function firstRowPerValue(rows: ReadonlyArray<ArrayLike<number>>, sizes: readonly number[]): number[] {
  if (sizes.length === 0) return [0];
  const seen = new Set<number>();
  const chosen: number[] = [];
  rows.forEach((row, r) => {
    if (!seen.has(row[0] as number)) {
      seen.add(row[0] as number);
      chosen.push(r);
    }
  });
  return chosen;
}
