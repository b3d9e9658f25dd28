import type { Axis } from './model.ts';

// The stable, readable name of a cell: its axis values in the file's axis order, then the
// scenario. A name depends only on the cell's own values, so adding a value to an axis never
// renames an existing cell. A value marked `omitFromName` is left out, which lets a new axis be
// added without renaming the cells that take its existing behaviour (mark that value).
export function createCellNamer(
  axes: readonly Axis[],
): (values: Record<string, string>, scenario: string) => string {
  const parts = axes.map((axis) => ({
    id: axis.id,
    omitted: axis.values.find((v) => v.omitFromName)?.id,
  }));
  return (values, scenario) => {
    let name = '';
    for (const part of parts) {
      const value = values[part.id] as string;
      if (value !== part.omitted) name += `${value}-`;
    }
    return name + scenario;
  };
}
