import { KvError, MatrixError } from '../contracts/errors.ts';
import type { LoadedMatrix } from './load-matrix.ts';
import type { AxisValue, LayoutNode, MatrixCell, ResolvedCell, Step } from './model.ts';

// What `kvmatrix run` and `kvmatrix matrix show` work from: the cell with its machines, its
// steps (scale nodes and `${var}` references resolved) and its merged Ansible variables.
// Pure; throws a MatrixError pointing at the matrix file when the cell cannot be resolved.
export function resolveCell(matrix: LoadedMatrix, cell: MatrixCell): ResolvedCell {
  const def = matrix.definition;
  const axisValues: Record<string, AxisValue> = {};
  const vars: Record<string, unknown> = Object.create(null);
  let providers: string[] | undefined;
  for (const axis of def.axes) {
    const value = axis.values.find((v) => v.id === cell.axes[axis.id]) as AxisValue;
    axisValues[axis.id] = value;
    Object.assign(vars, value.vars);
    if (value.providers)
      providers = providers ? providers.filter((p) => value.providers?.includes(p)) : [...value.providers];
  }
  const layoutId = cell.axes.layout as string;
  const layout = def.layouts[layoutId] as ResolvedCell['layout'];
  const scenario = def.scenarios.find((s) => s.id === cell.scenario);
  const scenarioIndex = def.scenarios.findIndex((s) => s.id === cell.scenario);
  const stepTimeoutMinutes = cell.overrides?.stepTimeoutMinutes ?? def.defaults.stepTimeoutMinutes;

  const used = new Set<string>();
  const joined = new Set<string>();
  const seenIds = new Map<string, number>();
  const steps: Step[] = (scenario?.steps ?? []).map((stepId, j) => {
    const spec = Object.hasOwn(def.steps, stepId) ? def.steps[stepId] : undefined;
    if (!spec)
      throw new MatrixError(
        matrix.locate(['scenarios', cell.scenario, 'steps', j]),
        `unknown step "${stepId}"`,
      );
    const count = (seenIds.get(stepId) ?? 0) + 1;
    seenIds.set(stepId, count);
    const step: Step = {
      id: count === 1 ? stepId : `${stepId}-${count}`,
      kind: spec.kind,
      playbook: spec.playbook,
      checks: [...spec.checks],
      timeoutMinutes: spec.timeoutMinutes ?? stepTimeoutMinutes,
    };
    if (spec.vars) step.vars = substituteVars(matrix, stepId, spec.vars, vars, cell);
    if (spec.scale) {
      const { action, role } = spec.scale;
      const nodes =
        action === 'add'
          ? layout.nodes.filter((n) => n.heldBack && n.roles.includes(role) && !joined.has(n.name))
          : layout.nodes.filter((n) => joined.has(n.name) && n.roles.includes(role));
      if (nodes.length === 0) {
        const what =
          action === 'add' ? `a held-back ${role} machine` : `a ${role} machine added by an earlier step`;
        throw new MatrixError(
          matrix.locate(
            scenario?.when ? ['scenarios', cell.scenario, 'when'] : ['scenarios', cell.scenario, 'steps', j],
          ),
          `step "${stepId}" of scenario "${cell.scenario}" needs ${what}, but layout "${layoutId}" has none (cell ${cell.name})`,
          { hint: 'restrict the scenario with `when: { layout: [...] }` or exclude the cell' },
        );
      }
      for (const n of nodes) {
        used.add(n.name);
        if (action === 'add') joined.add(n.name);
        else joined.delete(n.name);
      }
      step.nodes = nodes.map((n) => n.name);
    }
    return step;
  });
  if (scenarioIndex < 0) throw new MatrixError({ file: def.file }, `unknown scenario "${cell.scenario}"`);

  const nodes: LayoutNode[] = layout.nodes.filter((n) => !n.heldBack || used.has(n.name));
  const resolved: ResolvedCell = {
    ...cell,
    axisValues,
    layout: { ...layout, nodes },
    steps,
    vars,
    machine: { ...def.defaults.machine, ...cell.overrides?.machine },
    timeoutMinutes: cell.overrides?.timeoutMinutes ?? def.defaults.timeoutMinutes,
    stepTimeoutMinutes,
  };
  if (providers) resolved.providers = providers;
  return resolved;
}

// Looks a cell up by name, with a hint naming close matches when there is none.
export function resolveCellByName(matrix: LoadedMatrix, name: string): ResolvedCell {
  const cell = matrix.cellsByName.get(name);
  if (!cell) {
    const near = closestNames(
      name,
      matrix.cells.map((c) => c.name),
    );
    throw new KvError('NOT_FOUND', `no cell named "${name}" in ${matrix.definition.file}`, {
      hint: near.length
        ? `did you mean ${near.join(', ')}? (\`kvmatrix matrix list\`)`
        : 'see `kvmatrix matrix list`',
    });
  }
  return resolveCell(matrix, cell);
}

// The three names sharing the longest prefix with `name` (typos are usually near the end).
function closestNames(name: string, names: string[]): string[] {
  const common = (other: string) => {
    let i = 0;
    while (i < name.length && name[i] === other[i]) i++;
    return i;
  };
  const best = Math.max(0, ...names.map(common));
  return best < 3 ? [] : names.filter((n) => common(n) === best).slice(0, 3);
}

function substituteVars(
  matrix: LoadedMatrix,
  stepId: string,
  stepVars: Record<string, unknown>,
  cellVars: Record<string, unknown>,
  cell: MatrixCell,
): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const [key, value] of Object.entries(stepVars)) {
    if (typeof value !== 'string' || !value.includes('${')) {
      out[key] = value;
      continue;
    }
    const lookup = (name: string): unknown => {
      if (!Object.hasOwn(cellVars, name)) {
        throw new MatrixError(
          matrix.locate(['steps', stepId, 'vars', key]),
          `step "${stepId}" uses \${${name}}, which cell ${cell.name} does not define`,
          {
            hint: `define ${name} in the vars of an axis value, or restrict scenario "${cell.scenario}" with \`when\``,
          },
        );
      }
      return cellVars[name];
    };
    const whole = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value);
    out[key] = whole
      ? lookup(whole[1] as string)
      : value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => String(lookup(name)));
  }
  return out;
}
