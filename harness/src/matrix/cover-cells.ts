import { type CoverSpec, coverInteractions, measureCoverage } from './cover-interactions.ts';
import type { MatrixCell, MatrixDefinition, StrengthGroup } from './model.ts';

export interface CoverRequest {
  strength?: 2 | 3;
  groups?: StrengthGroup[];
  // A budget: at most this many cells, seeds included.
  maxCells?: number;
  // Cells that start the set, in order (they need not be candidates).
  seeds?: MatrixCell[];
}

// What a covering set reached, for people (printed) and tools (plan.json).
export interface CoverageFigures {
  // "2", "3" or "2, 3 within os x runtime x network".
  strength: string;
  // Combinations at the tier's strength that occur in the candidates, and those covered.
  required: number;
  covered: number;
  // The same for pairs, whatever the strength.
  pairs: { required: number; covered: number };
  maxCells?: number;
  seeds: string[];
}

export interface CoveringSet {
  // Seeds and picks in canonical order (the order of `candidates`, seeds outside them first).
  cells: MatrixCell[];
  // The greedy's pick order, seeds first: a budget keeps a prefix of it.
  pickOrder: string[];
  coverage: CoverageFigures;
}

// The dimensions of a matrix as the covering algorithm sees them: every axis in file order,
// then the scenario, each value by its index.
export function matrixDimensions(def: MatrixDefinition) {
  const ids = [...def.axes.map((a) => a.id), 'scenario'];
  const values = [...def.axes.map((a) => a.values.map((v) => v.id)), def.scenarios.map((s) => s.id)];
  const indexes = values.map((list) => new Map(list.map((v, i) => [v, i])));
  const sizes = values.map((list) => list.length);
  const rowOf = (cell: MatrixCell): number[] =>
    ids.map((id, d) => indexes[d]?.get(id === 'scenario' ? cell.scenario : (cell.axes[id] ?? '')) ?? 0);
  return { ids, sizes, rowOf };
}

// The covering set of `candidates` at the requested strength, started from the seeds and cut
// at the budget. Pure and deterministic: the same candidates in the same order give the same set.
export function coverCells(
  def: MatrixDefinition,
  candidates: MatrixCell[],
  request: CoverRequest,
): CoveringSet {
  const { ids, sizes, rowOf } = matrixDimensions(def);
  const spec: CoverSpec = {
    strength: request.strength ?? 2,
    groups: (request.groups ?? []).map((g) => ({
      dims: g.axes.map((a) => ids.indexOf(a)).filter((d) => d >= 0),
      strength: g.strength,
    })),
  };
  const budget = request.maxCells ?? Number.POSITIVE_INFINITY;
  const seeds = (request.seeds ?? []).slice(0, budget);
  const rows = candidates.map(rowOf);
  const seedRows = seeds.map(rowOf);
  const result = coverInteractions(rows, sizes, {
    ...spec,
    seeds: seedRows,
    maxRows: Math.max(0, budget - seeds.length),
  });
  const pickedCells = result.picked.map((i) => candidates[i] as MatrixCell);
  const chosen = new Set([...seeds, ...pickedCells].map((c) => c.name));
  const inCandidates = new Set(candidates.map((c) => c.name));
  const cells = [
    ...seeds.filter((c) => !inCandidates.has(c.name)),
    ...candidates.filter((c) => chosen.has(c.name)),
  ];
  const pairs = measureCoverage(rows, [...seedRows, ...result.picked.map((i) => rows[i] as number[])], sizes);
  return {
    cells,
    pickOrder: [...seeds, ...pickedCells].map((c) => c.name),
    coverage: {
      strength: describeStrength(spec, ids),
      required: result.required,
      covered: result.covered,
      pairs,
      ...(request.maxCells !== undefined ? { maxCells: request.maxCells } : {}),
      seeds: seeds.map((c) => c.name),
    },
  };
}

function describeStrength(spec: CoverSpec, ids: string[]): string {
  const groups = (spec.groups ?? []).filter((g) => g.strength > (spec.strength ?? 2));
  if (groups.length === 0) return String(spec.strength ?? 2);
  return [
    String(spec.strength ?? 2),
    ...groups.map((g) => `${g.strength} within ${g.dims.map((d) => ids[d]).join(' x ')}`),
  ].join(', ');
}

export function percent(part: number, whole: number): string {
  return whole === 0 ? '100%' : `${Math.floor((1000 * part) / whole) / 10}%`;
}

// One line for the job log and `matrix list`: "23 cells cover 44.1% of 410 pairs (budget 23)".
export function describeCoverage(count: number, coverage: CoverageFigures): string {
  const atStrength =
    coverage.strength === '2'
      ? ''
      : `, ${percent(coverage.covered, coverage.required)} of ${coverage.required} combinations at strength ${coverage.strength}`;
  const budget = coverage.maxCells !== undefined ? ` (budget ${coverage.maxCells})` : '';
  const seeds = coverage.seeds.length ? `, ${coverage.seeds.length} seed cell(s)` : '';
  return `${count} cells cover ${percent(coverage.pairs.covered, coverage.pairs.required)} of ${coverage.pairs.required} pairs${atStrength}${budget}${seeds}`;
}
