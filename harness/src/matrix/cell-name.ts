import type { Axis } from './model.ts';

// The stable, readable name of a cell: its axis values in the file's axis order, then the
// scenario. A name depends only on the cell's own values, so adding a value to an axis never
// renames an existing cell; adding an axis does (append axes at the end and say so in review).
export function nameCell(axes: readonly Axis[], values: Record<string, string>, scenario: string): string {
  let name = '';
  for (const axis of axes) name += `${values[axis.id]}-`;
  return name + scenario;
}
