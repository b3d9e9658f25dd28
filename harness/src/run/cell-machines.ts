import type { MachineSpec } from '../contracts/machine.ts';
import type { RunnableCell } from './runnable-cell.ts';

// The machines a cell asks its provider for: one per layout node, of the cell's machine size and
// OS. The one mapping from a cell to machines (`kvmatrix run`, `kvmatrix gate` and the runner).
export function machineSpecsOf(cell: Pick<RunnableCell, 'layout' | 'axes' | 'machine'>): MachineSpec[] {
  return cell.layout.nodes.map((n) => ({
    name: n.name,
    roles: n.roles,
    os: cell.axes.os ?? 'debian12',
    ...cell.machine,
  }));
}
