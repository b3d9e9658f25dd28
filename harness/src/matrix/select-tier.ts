import { MatrixError, UsageError } from '../contracts/errors.ts';
import { coverPairs } from './cover-pairs.ts';
import type { LoadedMatrix } from './load-matrix.ts';
import { matchesSelector } from './match-selector.ts';
import type { MatrixCell, MatrixDefinition, Tier } from './model.ts';

export interface TierSelection {
  tier: Tier;
  // The cells the tier runs, in canonical order.
  cells: MatrixCell[];
  // How many cells the tier would run as a full product (its `where` and excludes applied).
  productCount: number;
}

export function findTier(def: MatrixDefinition, tierId: string): Tier {
  const tier = def.tiers.find((t) => t.id === tierId);
  if (!tier) {
    throw new UsageError(
      `unknown tier "${tierId}"; expected one of: ${def.tiers.map((t) => t.id).join(', ')}`,
      {
        hint: `the tiers are defined under \`tiers:\` in ${def.file}`,
      },
    );
  }
  return tier;
}

// The cells one tier runs: the product (or its pairwise covering set) of the cells matching
// the tier's `where` and not its excludes, plus the tier's named cells. Pure and deterministic.
export function selectTier(matrix: LoadedMatrix, tierId: string): TierSelection {
  const def = matrix.definition;
  const tier = findTier(def, tierId);
  // Cells of an unverified axis value run only when named (or when the tier asks for them).
  const base = matrix.cells.filter(
    (cell) =>
      (tier.includeUnverified || !cell.unverified) &&
      (!tier.where || matchesSelector(tier.where, cell)) &&
      !tier.exclude.some((e) => matchesSelector(e, cell)),
  );
  let picked: MatrixCell[] = [];
  if (tier.strategy === 'product') picked = base;
  else if (tier.strategy === 'pairwise') picked = pickPairwise(def, base);
  const chosen = new Set(picked.map((c) => c.name));
  tier.cells.forEach((name, i) => {
    if (!matrix.cellsByName.has(name)) {
      throw new MatrixError(matrix.locate(['tiers', tier.id, 'cells', i]), `unknown cell "${name}"`, {
        hint: 'copy the name from `kvmatrix matrix list`',
      });
    }
    chosen.add(name);
  });
  if (chosen.size === 0) {
    throw new MatrixError(matrix.locate(['tiers', tier.id]), `tier "${tier.id}" selects no cell`, {
      hint: 'its `where` and `exclude` leave nothing of the matrix; widen them or name cells',
    });
  }
  const cells = matrix.cells.filter((c) => chosen.has(c.name));
  return { tier, cells, productCount: base.length };
}

// Every pair of values (scenario included) that occurs in `cells` occurs in the result.
export function pickPairwise(def: MatrixDefinition, cells: MatrixCell[]): MatrixCell[] {
  const dims = [...def.axes.map((a) => a.values.map((v) => v.id)), def.scenarios.map((s) => s.id)];
  const indexes = dims.map((values) => new Map(values.map((v, i) => [v, i])));
  const axisIds = def.axes.map((a) => a.id);
  const rows = cells.map((cell) =>
    dims.map((_, d) => {
      const value = d < axisIds.length ? (cell.axes[axisIds[d] as string] as string) : cell.scenario;
      return indexes[d]?.get(value) ?? 0;
    }),
  );
  return coverPairs(
    rows,
    dims.map((d) => d.length),
  ).map((i) => cells[i] as MatrixCell);
}
