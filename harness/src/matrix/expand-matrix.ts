import { MatrixError, type SourceLocation } from '../contracts/errors.ts';
import { createCellNamer } from './cell-name.ts';
import { MATRIX_LIMITS } from './input-limits.ts';
import { matchesSelector } from './match-selector.ts';
import type { CellOverrides, Constraint, MatrixCell, MatrixDefinition } from './model.ts';
import type { KeyPath } from './yaml-source.ts';

export type Locate = (path: KeyPath, key?: string) => SourceLocation;

export interface Expansion {
  // Every cell of the matrix in canonical order (axis by axis in file order, scenario last).
  cells: MatrixCell[];
  // Size of the raw product before scenario restrictions, excludes and includes.
  productSize: number;
}

// The full matrix: the product of all axes and scenarios, without the combinations a
// scenario's `when` or an exclude rules out, plus the includes. Pure and deterministic.
export function expandMatrix(def: MatrixDefinition, locate: Locate): Expansion {
  const dims = [...def.axes.map((a) => a.values.map((v) => v.id)), def.scenarios.map((s) => s.id)];
  const axisIds = def.axes.map((a) => a.id);
  const scenarioById = new Map(def.scenarios.map((s) => [s.id, s]));
  const productSize = dims.reduce((n, d) => n * d.length, 1);
  checkCellLimit(def, locate, productSize);
  const cells: MatrixCell[] = [];
  const keys: number[][] = [];
  const origin = new Map<string, MatrixCell>();
  const nameCell = createCellNamer(def.axes);

  const counters = dims.map(() => 0);
  for (let n = 0; n < productSize; n++) {
    const axes: Record<string, string> = {};
    for (let d = 0; d < axisIds.length; d++)
      axes[axisIds[d] as string] = dims[d]?.[counters[d] ?? 0] as string;
    const scenario = dims[axisIds.length]?.[counters[axisIds.length] ?? 0] as string;
    const probe = { axes, scenario };
    const when = scenarioById.get(scenario)?.when;
    if (
      (!when || matchesSelector(when, probe)) &&
      !def.exclude.some((e) => matchesSelector(e, probe)) &&
      def.constraints.every((c) => satisfiesConstraint(c, probe))
    ) {
      const cell: MatrixCell = { name: nameCell(axes, scenario), axes, scenario };
      const previous = origin.get(cell.name);
      if (previous) throw ambiguousName(def, locate, previous, cell);
      origin.set(cell.name, cell);
      cells.push(cell);
      keys.push([...counters]);
    }
    for (let d = dims.length - 1; d >= 0; d--) {
      counters[d] = (counters[d] ?? 0) + 1;
      if ((counters[d] as number) < (dims[d]?.length ?? 0)) break;
      counters[d] = 0;
    }
  }

  def.include.forEach((entry, i) => {
    const { scenario = '', ...given } = entry;
    const axes: Record<string, string> = {};
    for (const axis of def.axes) {
      axes[axis.id] = Object.hasOwn(given, axis.id)
        ? (given[axis.id] as string)
        : (axis.values.find((v) => v.omitFromName)?.id as string);
    }
    const cell: MatrixCell = {
      name: nameCell(axes, scenario),
      axes,
      scenario,
    };
    if (origin.has(cell.name)) {
      throw new MatrixError(
        locate(['include', i]),
        `duplicate cell name "${cell.name}": the matrix has this cell already`,
        { hint: 'remove the include, or the exclude rule did not match the cell you meant' },
      );
    }
    origin.set(cell.name, cell);
    cells.push(cell);
    keys.push(
      dims.map((values, d) =>
        values.indexOf(d < axisIds.length ? (axes[axisIds[d] as string] ?? '') : scenario),
      ),
    );
  });

  // The product comes out in canonical order already; only includes need placing.
  const sorted = def.include.length
    ? cells
        .map((_, i) => i)
        .sort((a, b) => compareKeys(keys[a] as number[], keys[b] as number[]))
        .map((i) => cells[i] as MatrixCell)
    : cells;
  applyOverridesAndQuarantine(def, locate, sorted, origin);
  markUnverified(def, sorted);
  return { cells: sorted, productSize };
}

// `requires`: what matches `if` must match `must`; `implies`: both ways.
export function satisfiesConstraint(
  constraint: Constraint,
  probe: Pick<MatrixCell, 'axes' | 'scenario'>,
): boolean {
  const left = matchesSelector(constraint.if, probe);
  const right = matchesSelector(constraint.must, probe);
  return constraint.kind === 'implies' ? left === right : !left || right;
}

// Expansion visits every combination, so the product is bounded before it starts: a few extra
// axes multiply it past what memory holds. `limits.maxCells` raises the bound on purpose.
function checkCellLimit(def: MatrixDefinition, locate: Locate, productSize: number): void {
  const max = def.limits.maxCells;
  if (productSize <= max) return;
  const raised = max !== MATRIX_LIMITS.defaultMaxCells;
  const sizes = [...def.axes.map((a) => `${a.values.length} ${a.id}`), `${def.scenarios.length} scenarios`];
  throw new MatrixError(
    raised ? locate(['limits', 'maxCells']) : locate(['axes']),
    `the matrix has ${productSize} combinations (${sizes.join(' x ')}), more than the limit of ${max} cells (limits.maxCells)`,
    {
      hint: `remove axis values or restrict scenarios, or raise \`limits: { maxCells: N }\` on purpose (at most ${MATRIX_LIMITS.hardMaxCells})`,
    },
  );
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    const diff = (a[i] as number) - (b[i] as number);
    if (diff !== 0) return diff;
  }
  return 0;
}

function ambiguousName(
  def: MatrixDefinition,
  locate: Locate,
  first: MatrixCell,
  second: MatrixCell,
): MatrixError {
  const axis = def.axes.find((a) => first.axes[a.id] !== second.axes[a.id]);
  const at = axis
    ? locate(['axes', axis.id, 'values'], second.axes[axis.id])
    : locate(['scenarios'], second.scenario);
  const show = (c: MatrixCell) => JSON.stringify({ ...c.axes, scenario: c.scenario });
  return new MatrixError(
    at,
    `duplicate cell name "${second.name}": both ${show(first)} and ${show(second)} have it`,
    {
      hint: 'values joined with "-" collide; rename one of the values so that names stay unique',
    },
  );
}

function markUnverified(def: MatrixDefinition, cells: MatrixCell[]): void {
  const marked = def.axes.flatMap((axis) =>
    axis.values
      .filter((v) => v.unverified)
      .map((v) => ({ axis: axis.id, value: v.id, reason: v.unverified })),
  );
  if (!marked.length) return;
  for (const cell of cells) {
    const reasons = marked
      .filter((m) => cell.axes[m.axis] === m.value)
      .map((m) => `${m.axis} ${m.value}: ${m.reason}`);
    if (reasons.length) cell.unverified = reasons;
  }
}

function applyOverridesAndQuarantine(
  def: MatrixDefinition,
  locate: Locate,
  cells: MatrixCell[],
  byName: Map<string, MatrixCell>,
): void {
  if (def.overrides.length) {
    for (const cell of cells) {
      let merged: CellOverrides | undefined;
      for (const rule of def.overrides) {
        if (!matchesSelector(rule.match, cell)) continue;
        const { match: _match, machine, ...rest } = rule;
        merged = { ...merged, ...rest, ...(machine ? { machine: { ...merged?.machine, ...machine } } : {}) };
      }
      if (merged) cell.overrides = merged;
    }
  }
  def.quarantine.forEach((entry, i) => {
    const cell = byName.get(entry.cell);
    if (!cell) {
      throw new MatrixError(locate(['quarantine', i, 'cell']), `unknown cell "${entry.cell}"`, {
        hint: 'copy the name from `kvmatrix matrix list`; remove the entry if the cell is gone',
      });
    }
    if (cell.quarantine) {
      throw new MatrixError(locate(['quarantine', i, 'cell']), `cell "${entry.cell}" is quarantined twice`);
    }
    cell.quarantine = { issue: entry.issue, ...(entry.reason ? { reason: entry.reason } : {}) };
  });
}
