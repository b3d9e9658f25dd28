import type { Step } from '../matrix/model.ts';

// The extra variables of one step: the cell's variables (axis values, and parameter changes of
// earlier steps), the run's mirror addresses, then the step's own, which win. The matrix resolver
// has already replaced `${name}` references in step variables. Pure.
export function resolveStepVars(
  cellVars: Record<string, unknown>,
  step: Step,
  runVars: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...cellVars, ...runVars, ...step.vars, kvmatrix_step: step.id };
  if (step.nodes?.length) out.kvmatrix_step_nodes = step.nodes;
  return out;
}
