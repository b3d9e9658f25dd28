import type { MatrixCell, Selector } from './model.ts';

// True when every key of the selector (an axis id or `scenario`) holds one of the listed values.
export function matchesSelector(selector: Selector, cell: Pick<MatrixCell, 'axes' | 'scenario'>): boolean {
  for (const key in selector) {
    const value = key === 'scenario' ? cell.scenario : cell.axes[key];
    if (value === undefined || !selector[key]?.includes(value)) return false;
  }
  return true;
}
