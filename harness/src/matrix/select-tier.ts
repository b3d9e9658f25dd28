import { MatrixError, UsageError } from '../contracts/errors.ts';
import { type CoverageFigures, type CoverRequest, coverCells } from './cover-cells.ts';
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
  // Pairwise tiers: what the covering set reached, and the greedy's pick order.
  coverage?: CoverageFigures;
  pickOrder?: string[];
}

// What the pure core is told about the outside world: the cells whose last run failed (from the
// flake history), most recent first; a seed `failed` takes them.
export interface SelectContext {
  failed?: readonly string[];
  // The cells of an earlier plan of this tier (plan.json); a seed `previous` takes them, so that
  // a new axis value adds cells instead of reshuffling the set.
  previous?: readonly string[];
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

// The cells one tier runs: the product (or the covering set) of the cells matching the tier's
// `where` and not its excludes. Named cells start a pairwise tier's covering set and are added
// to the others. Pure and deterministic.
export function selectTier(matrix: LoadedMatrix, tierId: string, context: SelectContext = {}): TierSelection {
  const def = matrix.definition;
  const tier = findTier(def, tierId);
  const base = tierBase(matrix, tier);
  const named = tier.cells.map((name, i) => {
    const cell = matrix.cellsByName.get(name);
    if (!cell) {
      throw new MatrixError(matrix.locate(['tiers', tier.id, 'cells', i]), `unknown cell "${name}"`, {
        hint: 'copy the name from `kvmatrix matrix list`',
      });
    }
    return cell;
  });
  const none = () =>
    new MatrixError(matrix.locate(['tiers', tier.id]), `tier "${tier.id}" selects no cell`, {
      hint: 'its `where` and `exclude` leave nothing of the matrix; widen them or name cells',
    });
  if (tier.strategy === 'pairwise') {
    const covering = coverCells(def, base, coverRequest(tier, tierSeeds(matrix, tier, base, named, context)));
    if (covering.cells.length === 0) throw none();
    return {
      tier,
      cells: covering.cells,
      productCount: base.length,
      coverage: covering.coverage,
      pickOrder: covering.pickOrder,
    };
  }
  const chosen = new Set([...(tier.strategy === 'product' ? base : []), ...named].map((c) => c.name));
  if (chosen.size === 0) throw none();
  const cells = matrix.cells.filter((c) => chosen.has(c.name));
  return { tier, cells, productCount: base.length };
}

// The cells a tier draws from: its `where`, without its excludes. Cells of an unverified axis
// value run only when named (or when the tier asks for them).
export function tierBase(matrix: LoadedMatrix, tier: Tier): MatrixCell[] {
  return matrix.cells.filter(
    (cell) =>
      (tier.includeUnverified || !cell.unverified) &&
      (!tier.where || matchesSelector(tier.where, cell)) &&
      !tier.exclude.some((e) => matchesSelector(e, cell)),
  );
}

export function coverRequest(tier: Tier, seeds: MatrixCell[]): CoverRequest {
  return {
    ...(tier.strength ? { strength: tier.strength } : {}),
    ...(tier.groups ? { groups: tier.groups } : {}),
    ...(tier.maxCells !== undefined ? { maxCells: tier.maxCells } : {}),
    seeds,
  };
}

// The seeds of a covering set in order: the tier's `seed` entries (a cell name, `quarantined`:
// the quarantined cells of the tier, `failed`: the cells whose last run failed, `previous`: the
// cells of an earlier plan), then its named cells; each cell once. Quarantined, failed and
// previous cells come only from the tier's own cells.
export const SEED_QUARANTINED = 'quarantined';
export const SEED_FAILED = 'failed';
export const SEED_PREVIOUS = 'previous';

export function tierSeeds(
  matrix: LoadedMatrix,
  tier: Tier,
  base: MatrixCell[],
  named: MatrixCell[],
  context: SelectContext,
): MatrixCell[] {
  const inBase = new Map(base.map((c) => [c.name, c]));
  const seeds = new Map<string, MatrixCell>();
  const add = (cell: MatrixCell | undefined) => {
    if (cell && !seeds.has(cell.name)) seeds.set(cell.name, cell);
  };
  for (const entry of tier.seed ?? []) {
    if (entry === SEED_QUARANTINED) {
      for (const cell of base) if (cell.quarantine) add(cell);
    } else if (entry === SEED_FAILED) {
      for (const name of context.failed ?? []) add(inBase.get(name));
    } else if (entry === SEED_PREVIOUS) {
      for (const name of context.previous ?? []) add(inBase.get(name));
    } else {
      add(matrix.cellsByName.get(entry));
    }
  }
  for (const cell of named) add(cell);
  return [...seeds.values()];
}
