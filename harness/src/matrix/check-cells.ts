import type { LoadedMatrix } from './load-matrix.ts';
import { resolveCell } from './resolve-cell.ts';

// Proves every cell resolvable without resolving all of them (10,000 cells must load in well
// under a second): what can fail in resolveCell depends on the scenario and layout (scale steps)
// and on which `${var}`s the scenario's steps use and the cell's axis values define. So one cell
// per scenario x layout is resolved in full, and every other cell only has its references
// checked; a cell that fails the check is resolved to raise the located error.
export function checkCellsResolve(matrix: LoadedMatrix): void {
  const def = matrix.definition;
  const refsByScenario = new Map<string, string[]>();
  for (const scenario of def.scenarios) {
    const refs = new Set<string>();
    for (const stepId of scenario.steps) {
      for (const value of Object.values(def.steps[stepId]?.vars ?? {})) {
        if (typeof value !== 'string') continue;
        for (const m of value.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) refs.add(m[1] as string);
      }
    }
    refsByScenario.set(scenario.id, [...refs]);
  }
  const defines = new Map<string, Map<string, Set<string>>>(
    def.axes.map((a) => [a.id, new Map(a.values.map((v) => [v.id, new Set(Object.keys(v.vars))]))]),
  );
  const resolvedOnce = new Set<string>();
  for (const cell of matrix.cells) {
    const key = `${cell.scenario}\u0000${cell.axes.layout}`;
    if (!resolvedOnce.has(key)) {
      resolvedOnce.add(key);
      resolveCell(matrix, cell);
      continue;
    }
    for (const ref of refsByScenario.get(cell.scenario) ?? []) {
      let found = false;
      for (const axis of def.axes) {
        if (
          defines
            .get(axis.id)
            ?.get(cell.axes[axis.id] as string)
            ?.has(ref)
        ) {
          found = true;
          break;
        }
      }
      if (!found) resolveCell(matrix, cell);
    }
  }
}
