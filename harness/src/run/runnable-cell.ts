import type { MachineSize } from '../contracts/machine.ts';
import type { LayoutNode, MatrixCell, Step } from '../matrix/model.ts';

// The part of a resolved matrix cell that `kvmatrix run` needs: the layout's machines, the
// scenario's steps and the Ansible variables its axis values carry. The matrix resolver's
// ResolvedCell satisfies it.
export interface RunnableCell extends MatrixCell {
  layout: { id: string; nodes: LayoutNode[] };
  steps: Step[];
  vars: Record<string, unknown>;
  machine: MachineSize;
  timeoutMinutes: number;
  stepTimeoutMinutes: number;
}
