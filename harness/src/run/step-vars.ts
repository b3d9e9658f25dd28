import type { Step } from '../matrix/model.ts';

// The extra variables of one step: the cell's axis variables, the run's mirror addresses, then
// the step's own (which win). A step value that is exactly "{{ name }}" takes the value of that
// variable, so an upgrade scenario can deploy `kube_version: "{{ kube_version_previous }}"` and
// the checks still know which version to expect. Pure.
export function resolveStepVars(
  cellVars: Record<string, unknown>,
  step: Step,
  runVars: Record<string, unknown>,
): Record<string, unknown> {
  const base = { ...cellVars, ...runVars };
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(step.vars ?? {})) {
    const ref = typeof value === 'string' ? /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/.exec(value) : null;
    out[key] = ref?.[1] && ref[1] in base ? base[ref[1]] : value;
  }
  if (step.nodes?.length) out.kvmatrix_step_nodes = step.nodes;
  out.kvmatrix_step = step.id;
  return out;
}
