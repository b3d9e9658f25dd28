// A t-way covering set (strength 2 or 3, optionally mixed: pairs everywhere and triples within
// groups of dimensions), chosen greedily from candidate rows, under an optional budget and
// starting from seed rows.
//
// Each row is one cell given as the index of its value in every dimension. An interaction is a
// combination of values of t different dimensions; only interactions that occur in some
// candidate need covering, so excluded combinations and scenario restrictions are honoured by
// construction (a constrained AETG without random restarts). Seeds are taken first, whatever
// they cover; then every round takes the row that covers the most interactions not yet covered,
// ties going to the earliest row, so the result depends only on the input. Scores only fall,
// so a row whose last score cannot beat the current best is skipped without recounting (lazy
// greedy): the cost is about rounds x rows x interactions per row. Pure and deterministic.

export interface StrengthGroup {
  // Dimension indexes whose combinations are covered at `strength`.
  dims: readonly number[];
  strength: 2 | 3;
}

export interface CoverSpec {
  // Strength over all dimensions (default 2).
  strength?: 2 | 3;
  // Higher strength within some dimensions (mixed strength).
  groups?: readonly StrengthGroup[];
}

export interface CoverOptions extends CoverSpec {
  // Rows (value indexes, like `rows`) already in the set: their interactions count as covered.
  // They need not be candidates; they add nothing to what must be covered.
  seeds?: ReadonlyArray<ArrayLike<number>>;
  // At most this many rows are picked (beyond the seeds); the greedy's order decides which.
  maxRows?: number;
}

export interface CoverResult {
  // Indexes into `rows`, in the order the greedy picked them.
  picked: number[];
  // Interactions that occur in some candidate, and how many of them the seeds and picks cover.
  required: number;
  covered: number;
}

// The dimension tuples whose value combinations must be covered.
export function interactionTuples(dimCount: number, spec: CoverSpec = {}): number[][] {
  const strength = Math.min(spec.strength ?? 2, dimCount);
  const tuples = new Map<string, number[]>();
  const add = (dims: number[]) => tuples.set(dims.join(','), dims);
  const all = Array.from({ length: dimCount }, (_, i) => i);
  for (const dims of combinations(all, Math.max(strength, 1))) add(dims);
  if (strength < 3) {
    for (const group of spec.groups ?? []) {
      const dims = [...new Set(group.dims)].sort((a, b) => a - b);
      if (group.strength > strength)
        for (const t of combinations(dims, Math.min(group.strength, dims.length))) add(t);
    }
  }
  return [...tuples.values()];
}

function combinations(items: number[], k: number): number[][] {
  if (k === 0) return [[]];
  const out: number[][] = [];
  items.forEach((first, i) => {
    for (const rest of combinations(items.slice(i + 1), k - 1)) out.push([first, ...rest]);
  });
  return out;
}

// Interaction ids of rows: for tuple t, offset[t] plus the mixed-radix number of its values.
function indexInteractions(tuples: number[][], sizes: readonly number[]) {
  const offsets: number[] = [];
  let total = 0;
  for (const dims of tuples) {
    offsets.push(total);
    total += dims.reduce((n, d) => n * (sizes[d] as number), 1);
  }
  const idsOf = (row: ArrayLike<number>, out: Int32Array, at: number) => {
    for (let t = 0; t < tuples.length; t++) {
      const dims = tuples[t] as number[];
      let id = 0;
      for (const d of dims) id = id * (sizes[d] as number) + (row[d] as number);
      out[at + t] = (offsets[t] as number) + id;
    }
  };
  return { total, idsOf };
}

export function coverInteractions(
  rows: ReadonlyArray<ArrayLike<number>>,
  sizes: readonly number[],
  options: CoverOptions = {},
): CoverResult {
  const tuples = interactionTuples(sizes.length, options);
  const perRow = tuples.length;
  const { total, idsOf } = indexInteractions(tuples, sizes);
  const ids = new Int32Array(rows.length * perRow);
  const needed = new Uint8Array(total);
  for (let r = 0; r < rows.length; r++) idsOf(rows[r] as ArrayLike<number>, ids, r * perRow);
  for (let k = 0; k < ids.length; k++) needed[ids[k] as number] = 1;
  let required = 0;
  for (let k = 0; k < total; k++) required += needed[k] as number;
  const covered = new Uint8Array(total);
  let coveredCount = 0;
  const scratch = new Int32Array(perRow);
  for (const seed of options.seeds ?? []) {
    idsOf(seed, scratch, 0);
    for (const id of scratch) {
      if (needed[id] === 1 && covered[id] === 0) {
        covered[id] = 1;
        coveredCount++;
      }
    }
  }
  const budget = options.maxRows ?? Number.POSITIVE_INFINITY;
  const score = new Int32Array(rows.length).fill(perRow);
  const picked: number[] = [];
  while (coveredCount < required && picked.length < budget) {
    let best = -1;
    let bestScore = 0;
    for (let r = 0; r < rows.length; r++) {
      if ((score[r] as number) <= bestScore) continue;
      let s = 0;
      const base = r * perRow;
      for (let k = 0; k < perRow; k++) if (covered[ids[base + k] as number] === 0) s++;
      score[r] = s;
      if (s > bestScore) {
        bestScore = s;
        best = r;
      }
    }
    if (best < 0) break;
    picked.push(best);
    const base = best * perRow;
    for (let k = 0; k < perRow; k++) {
      const id = ids[base + k] as number;
      if (covered[id] === 0) {
        covered[id] = 1;
        coveredCount++;
      }
    }
    score[best] = 0;
  }
  return { picked, required, covered: coveredCount };
}

// How much of the interactions occurring in `candidates` the `chosen` rows cover.
export function measureCoverage(
  candidates: ReadonlyArray<ArrayLike<number>>,
  chosen: ReadonlyArray<ArrayLike<number>>,
  sizes: readonly number[],
  spec: CoverSpec = {},
): { required: number; covered: number } {
  const tuples = interactionTuples(sizes.length, spec);
  const { total, idsOf } = indexInteractions(tuples, sizes);
  const state = new Uint8Array(total); // 1 required, 2 required and covered
  const scratch = new Int32Array(tuples.length);
  let required = 0;
  for (const row of candidates) {
    idsOf(row, scratch, 0);
    for (const id of scratch) {
      if (state[id] === 0) {
        state[id] = 1;
        required++;
      }
    }
  }
  let covered = 0;
  for (const row of chosen) {
    idsOf(row, scratch, 0);
    for (const id of scratch) {
      if (state[id] === 1) {
        state[id] = 2;
        covered++;
      }
    }
  }
  return { required, covered };
}
