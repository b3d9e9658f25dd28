import { isManaged } from '../contracts/machine.ts';
import type { LayoutNode, Step, StepKind } from '../matrix/model.ts';

// Who runs a kind of step: ansible-playbook against the cell's inventory, or the operator under
// test (harness/src/operator-cell), which then checks the cluster it built itself.
export type ExecutorName = 'playbook' | 'operator';

// What one kind of step does. A new kind of step is one entry of STEP_KINDS.
export interface StepKindEntry {
  executor: ExecutorName;
  // Nodes that become members before the step runs (its playbook or the operator sees them).
  joins?: (step: Step, nodes: readonly LayoutNode[]) => string[];
  // Nodes that stop being members once the step passed (the checks after it expect them gone).
  leaves?: (step: Step, nodes: readonly LayoutNode[]) => string[];
  // The hosts its playbook is limited to when the step names no `limit` of its own.
  limit?: (step: Step) => string | undefined;
  // Its variables stay in force for the later steps of the cell (a change of configuration).
  carriesVars?: boolean;
  // It fails when any task changed (the second run of the same playbooks).
  failsOnChange?: boolean;
}

const stepNodes = (step: Step): string[] => step.nodes ?? [];
const allNodes = (_: Step, nodes: readonly LayoutNode[]): string[] => nodes.map((n) => n.name);

export const STEP_KINDS: Record<StepKind, StepKindEntry> = {
  // A deploy after a reset deploys onto the same machines again: every machine not held back for
  // a scale step is a member once more (else `--limit` would leave no host).
  deploy: {
    executor: 'playbook',
    joins: (_, nodes) => nodes.filter((n) => !n.heldBack).map((n) => n.name),
  },
  'scale-up': { executor: 'playbook', joins: stepNodes },
  // The scale-down entry removes the hosts given with --limit: the step's nodes.
  'scale-down': { executor: 'playbook', limit: (step) => step.nodes?.join(':'), leaves: stepNodes },
  upgrade: { executor: 'playbook' },
  'parameter-change': { executor: 'playbook', carriesVars: true },
  idempotence: { executor: 'playbook', failsOnChange: true },
  recover: { executor: 'playbook' },
  reset: { executor: 'playbook', leaves: allNodes },
  'operator-install': { executor: 'operator' },
  'operator-cluster': { executor: 'operator' },
  'operator-scale': { executor: 'operator', joins: stepNodes },
  // The operator resets the nodes it managed and releases the machines.
  'operator-delete': {
    executor: 'operator',
    leaves: (_, nodes) => nodes.filter(isManaged).map((n) => n.name),
  },
};
