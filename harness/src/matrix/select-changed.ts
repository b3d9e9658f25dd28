import path from 'node:path';
import type { LoadedMatrix } from './load-matrix.ts';
import { matchesSelector } from './match-selector.ts';
import type { ChangeImpactRule, MatrixCell, Tier } from './model.ts';

export interface ChangeSelection {
  cells: MatrixCell[];
  // True when the change may affect anything (an unknown file, or a tier that ignores changes).
  wholeTier: boolean;
  // One line per decision, for people reading the job log.
  reasons: string[];
  files: { ignored: string[]; matched: string[]; unknown: string[] };
}

// Narrows a tier's cells to those the changed files can affect (changeImpact in the matrix).
// Each file is decided by the first rule whose globs match it; an ignored file affects nothing;
// a file that no rule knows selects the whole tier, never silently nothing. Pure.
export function selectChanged(
  matrix: LoadedMatrix,
  tier: Tier,
  tierCells: MatrixCell[],
  changedFiles: readonly string[],
): ChangeSelection {
  const files = { ignored: [] as string[], matched: [] as string[], unknown: [] as string[] };
  if (!tier.changeImpact) {
    return {
      cells: tierCells,
      wholeTier: true,
      reasons: [`tier ${tier.id} runs all its cells whatever changed (changeImpact: false)`],
      files,
    };
  }
  const { ignore, rules } = matrix.definition.changeImpact;
  const hitRules = new Set<ChangeImpactRule>();
  const reasons: string[] = [];
  for (const file of changedFiles) {
    if (ignore.some((glob) => matchesGlob(file, glob))) {
      files.ignored.push(file);
      continue;
    }
    const rule = rules.find((r) => r.paths.some((glob) => matchesGlob(file, glob)));
    if (!rule) {
      files.unknown.push(file);
      reasons.push(
        `${file} matches no change-impact rule in ${matrix.definition.file}: selecting the whole tier`,
      );
      continue;
    }
    files.matched.push(file);
    hitRules.add(rule);
  }
  if (files.unknown.length > 0) return { cells: tierCells, wholeTier: true, reasons, files };
  const chosen = [...hitRules];
  const cells = tierCells.filter((cell) => chosen.some((rule) => ruleSelects(matrix, rule, cell)));
  reasons.push(
    `${changedFiles.length} changed file(s): ${files.ignored.length} ignored, ${files.matched.length} matched ` +
      `${chosen.length} rule(s), selecting ${cells.length} of ${tierCells.length} cells of tier ${tier.id}`,
  );
  return { cells, wholeTier: false, reasons, files };
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
