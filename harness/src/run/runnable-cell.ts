import type { LayoutNode, MatrixCell, Scenario } from '../matrix/model.ts';

// Everything `kvmatrix run` needs to know about one cell, resolved from the matrix: the layout's
// machines, the scenario's steps and the Ansible variables its axis values carry.
export interface RunnableCell {
  cell: MatrixCell;
  layout: { id: string; nodes: LayoutNode[] };
  scenario: Scenario;
  vars: Record<string, unknown>;
}
