import path from 'node:path';
import { type CoverageFigures, coverCells } from './cover-cells.ts';
import type { LoadedMatrix } from './load-matrix.ts';
import { matchesSelector } from './match-selector.ts';
import type { ChangeImpactRule, MatrixCell, Tier } from './model.ts';
import { coverRequest, type SelectContext, tierBase, tierSeeds } from './select-tier.ts';

export interface ChangeSelection {
  cells: MatrixCell[];
  // True when the change may affect anything (an unknown file, or a tier that ignores changes).
  wholeTier: boolean;
  // One line per decision, for people reading the job log.
  reasons: string[];
  files: { ignored: string[]; matched: string[]; derived: string[]; unknown: string[] };
  // For each selected cell: which changed files led there, and how.
  explain: Record<string, string[]>;
  // A pairwise tier narrowed to a sub-product gets that sub-product's own covering set.
  coverage?: CoverageFigures;
}

// How one changed file affects cells: for each cell, why it is affected (undefined: it is not).
export interface FileImpact {
  affects(cell: MatrixCell): string | undefined;
}

// Impact derived from the deployment code (see playbook-impact.ts). `undefined` for a file the
// analysis does not understand; such a file falls through to the matrix's catch-all rules.
export interface DerivedImpact {
  impactOf(file: string): FileImpact | undefined;
}

export interface ChangeOptions {
  context?: SelectContext;
  derived?: DerivedImpact;
}

// Narrows a tier to the cells the changed files can affect. Each file is decided, in order, by:
// the `ignore` globs (affects nothing); the first hand-written rule with a `select` or `roles`
// whose globs match it (an override); the impact derived from the playbooks; the first rule
// without `select` and `roles` (the whole tier); otherwise the file is unknown and selects the
// whole tier, never silently nothing. A pairwise tier gets the covering set of the narrowed
// sub-product (its seeds kept where the change affects them), not its own cells filtered. Pure.
export function selectChanged(
  matrix: LoadedMatrix,
  tier: Tier,
  tierCells: MatrixCell[],
  changedFiles: readonly string[],
  options: ChangeOptions = {},
): ChangeSelection {
  const files = {
    ignored: [] as string[],
    matched: [] as string[],
    derived: [] as string[],
    unknown: [] as string[],
  };
  const whole = (reasons: string[]): ChangeSelection => ({
    cells: tierCells,
    wholeTier: true,
    reasons,
    files,
    explain: Object.fromEntries(tierCells.map((c) => [c.name, reasons])),
  });
  if (!tier.changeImpact)
    return whole([`tier ${tier.id} runs all its cells whatever changed (changeImpact: false)`]);
  const { ignore, rules } = matrix.definition.changeImpact;
  const narrowing = rules.filter((r) => r.select || r.roles?.length);
  const catchAll = rules.filter((r) => !(r.select || r.roles?.length));
  const impacts: Array<{ file: string; impact: FileImpact }> = [];
  const reasons: string[] = [];
  for (const file of changedFiles) {
    if (ignore.some((glob) => matchesGlob(file, glob))) {
      files.ignored.push(file);
      continue;
    }
    const rule = narrowing.find((r) => r.paths.some((glob) => matchesGlob(file, glob)));
    if (rule) {
      files.matched.push(file);
      impacts.push({ file, impact: ruleImpact(matrix, rule) });
      continue;
    }
    const derived = options.derived?.impactOf(file);
    if (derived) {
      files.derived.push(file);
      impacts.push({ file, impact: derived });
      continue;
    }
    const fallback = catchAll.find((r) => r.paths.some((glob) => matchesGlob(file, glob)));
    if (fallback) {
      files.matched.push(file);
      impacts.push({ file, impact: { affects: () => `rule ${fallback.paths.join(', ')} (every cell)` } });
      continue;
    }
    files.unknown.push(file);
    reasons.push(
      `${file} matches no change-impact rule in ${matrix.definition.file} and the playbook analysis does not know it: selecting the whole tier`,
    );
  }
  if (files.unknown.length > 0) return whole(reasons);

  const explain: Record<string, string[]> = {};
  const affected = (cell: MatrixCell): boolean => {
    const why = impacts.flatMap(({ file, impact }) => {
      const reason = impact.affects(cell);
      return reason === undefined ? [] : [`${file}: ${reason}`];
    });
    if (why.length) explain[cell.name] = why;
    return why.length > 0;
  };
  let cells: MatrixCell[];
  let coverage: CoverageFigures | undefined;
  if (tier.strategy === 'pairwise') {
    const base = tierBase(matrix, tier);
    const named = tier.cells.flatMap((n) => matrix.cellsByName.get(n) ?? []);
    const sub = base.filter(affected);
    const seeds = tierSeeds(matrix, tier, base, named, options.context ?? {}).filter(
      (c) => explain[c.name] !== undefined || affected(c),
    );
    const covering = coverCells(matrix.definition, sub, coverRequest(tier, seeds));
    cells = covering.cells;
    coverage = covering.coverage;
    reasons.push(
      `${changedFiles.length} changed file(s): ${files.ignored.length} ignored, ${files.matched.length} by rules, ` +
        `${files.derived.length} by the playbooks; the change affects ${sub.length} of the tier's ${base.length} ` +
        `candidate cells, covered by ${cells.length} (${tierCells.length} in the whole tier)`,
    );
  } else {
    cells = tierCells.filter(affected);
    reasons.push(
      `${changedFiles.length} changed file(s): ${files.ignored.length} ignored, ${files.matched.length} by rules, ` +
        `${files.derived.length} by the playbooks; selecting ${cells.length} of ${tierCells.length} cells of tier ${tier.id}`,
    );
  }
  const chosen = new Set(cells.map((c) => c.name));
  for (const name of Object.keys(explain)) if (!chosen.has(name)) delete explain[name];
  return { cells, wholeTier: false, reasons, files, explain, ...(coverage ? { coverage } : {}) };
}

function ruleImpact(matrix: LoadedMatrix, rule: ChangeImpactRule): FileImpact {
  const what = [
    rule.select
      ? Object.entries(rule.select)
          .map(([k, v]) => `${k}: ${v.join('|')}`)
          .join(', ')
      : '',
    rule.roles?.length ? `a machine of role ${rule.roles.join('|')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  const reason = `rule ${rule.paths.join(', ')} (${what})`;
  return { affects: (cell) => (ruleSelects(matrix, rule, cell) ? reason : undefined) };
}

function ruleSelects(matrix: LoadedMatrix, rule: ChangeImpactRule, cell: MatrixCell): boolean {
  if (rule.select && !matchesSelector(rule.select, cell)) return false;
  if (rule.roles?.length) {
    const nodes = matrix.definition.layouts[cell.axes.layout ?? '']?.nodes ?? [];
    if (!nodes.some((n) => n.roles.some((r) => rule.roles?.includes(r)))) return false;
  }
  return true;
}

// Globs as Node's path.matchesGlob reads them (`*`, `**`, `?`, braces), on forward slashes.
function matchesGlob(file: string, glob: string): boolean {
  return path.posix.matchesGlob(file, glob);
}
