import type { CellReport } from './model.ts';

// How the HTML grid lays the axes out: some axes make the rows, the others the columns, and
// the scenarios of one combination sit side by side inside its grid cell.
export interface Pivot {
  rowAxes: string[];
  columnAxes: string[];
  rows: string[][];
  columns: string[][];
  // "row key|column key" -> cells
  cells: Map<string, CellReport[]>;
}

// Axes that read best across the top: few values, and what reviewers compare side by side.
const PREFERRED_COLUMNS = ['kubernetes', 'k8s', 'kube_version', 'kubernetes_version', 'layout'];

export function choosePivotAxes(
  axisOrder: string[],
  columns?: string[],
): { rowAxes: string[]; columnAxes: string[] } {
  let columnAxes = (columns ?? PREFERRED_COLUMNS).filter((a) => axisOrder.includes(a));
  if (columnAxes.length === 0 && axisOrder.length > 1) columnAxes = [axisOrder.at(-1) as string];
  const rowAxes = axisOrder.filter((a) => !columnAxes.includes(a));
  return { rowAxes, columnAxes };
}

function distinctCombos(cells: CellReport[], axes: string[], axisValues: Map<string, string[]>): string[][] {
  const seen = new Map<string, string[]>();
  for (const cell of cells) {
    const combo = axes.map((a) => cell.axes[a] ?? '–');
    seen.set(combo.join('\u0000'), combo);
  }
  const rank = (axis: string, value: string) => axisValues.get(axis)?.indexOf(value) ?? 0;
  return [...seen.values()].sort((x, y) => {
    for (let i = 0; i < axes.length; i += 1) {
      const d = rank(axes[i] as string, x[i] as string) - rank(axes[i] as string, y[i] as string);
      if (d !== 0) return d;
    }
    return 0;
  });
}

export const comboKey = (combo: string[]) => combo.join('\u0000');

// Builds the grid. Axis values keep the order in which the plan first names them.
export function pivotCells(cells: CellReport[], axisOrder: string[], columns?: string[]): Pivot {
  const { rowAxes, columnAxes } = choosePivotAxes(axisOrder, columns);
  const axisValues = new Map<string, string[]>();
  for (const axis of axisOrder) {
    const values: string[] = [];
    for (const cell of cells) {
      const v = cell.axes[axis] ?? '–';
      if (!values.includes(v)) values.push(v);
    }
    axisValues.set(axis, values);
  }
  const rows = distinctCombos(cells, rowAxes, axisValues);
  const cols = distinctCombos(cells, columnAxes, axisValues);
  const map = new Map<string, CellReport[]>();
  for (const cell of cells) {
    const key = `${comboKey(rowAxes.map((a) => cell.axes[a] ?? '–'))}|${comboKey(columnAxes.map((a) => cell.axes[a] ?? '–'))}`;
    const list = map.get(key) ?? [];
    list.push(cell);
    map.set(key, list);
  }
  for (const list of map.values()) list.sort((a, b) => a.scenario.localeCompare(b.scenario));
  return { rowAxes, columnAxes, rows, columns: cols, cells: map };
}
