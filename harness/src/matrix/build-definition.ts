import type { NodeRole } from '../contracts/machine.ts';
import { MATRIX_LIMITS } from './input-limits.ts';
import type {
  Axis,
  CellOverrideRule,
  ChangeImpact,
  Layout,
  MatrixDefaults,
  MatrixDefinition,
  PipelineSettings,
  ScenarioDefinition,
  Selector,
  StepDefinition,
  Tier,
} from './model.ts';

// The raw shapes as matrix/schema/matrix.schema.json allows them (checked before this runs).
type Raw = Record<string, unknown>;
type RawSelector = Record<string, string | string[]>;

export const DEFAULT_MACHINE = { cpus: 2, memoryMiB: 2048, diskGiB: 20 };
export const DEFAULT_PIPELINE: PipelineSettings = {
  image: '$KVMATRIX_CI_IMAGE',
  tags: [],
  provider: 'kubevirt',
  jobsPerPipeline: 150,
};

// Turns schema-valid data into the typed definition: maps become ordered lists where order
// matters, one-or-many values become lists, absent sections become empty ones. No checks of
// references here (see check-references.ts).
export function buildDefinition(data: Raw, file: string): MatrixDefinition {
  const axesRaw = data.axes as Record<string, Raw>;
  const axes: Axis[] = Object.entries(axesRaw).map(([id, axis]) => ({
    id,
    ...(axis.description ? { description: String(axis.description) } : {}),
    values: Object.entries(axis.values as Record<string, Raw>).map(([valueId, value]) => ({
      id: valueId,
      ...(value.description ? { description: String(value.description) } : {}),
      vars: toDictionary((value.vars as Raw | undefined) ?? {}),
      ...(value.providers ? { providers: [...(value.providers as string[])] } : {}),
      ...(value.omitFromName === true ? { omitFromName: true } : {}),
      ...(value.unverified ? { unverified: String(value.unverified) } : {}),
    })),
  }));
  const layouts: Record<string, Layout> = Object.create(null);
  for (const [id, value] of Object.entries((axesRaw.layout?.values ?? {}) as Record<string, Raw>)) {
    layouts[id] = {
      id,
      ...(value.description ? { description: String(value.description) } : {}),
      nodes: (value.nodes as Raw[]).map((node) => ({
        name: String(node.name),
        roles: [...(node.roles as NodeRole[])],
        ...(node.heldBack === true ? { heldBack: true } : {}),
      })),
    };
  }
  const steps: Record<string, StepDefinition> = Object.create(null);
  for (const [id, step] of Object.entries(data.steps as Record<string, Raw>)) steps[id] = buildStep(id, step);
  const scenarios: ScenarioDefinition[] = Object.entries(data.scenarios as Record<string, Raw>).map(
    ([id, s]) => ({
      id,
      ...(s.description ? { description: String(s.description) } : {}),
      steps: [...(s.steps as string[])],
      ...(s.when ? { when: toSelector(s.when as RawSelector) } : {}),
    }),
  );
  const tiers: Tier[] = Object.entries(data.tiers as Record<string, Raw>).map(([id, t]) => ({
    id,
    ...(t.description ? { description: String(t.description) } : {}),
    strategy: t.strategy as Tier['strategy'],
    cells: [...((t.cells as string[] | undefined) ?? [])],
    ...(t.where ? { where: toSelector(t.where as RawSelector) } : {}),
    exclude: ((t.exclude as RawSelector[] | undefined) ?? []).map(toSelector),
    changeImpact: t.changeImpact !== false,
    ...(t.strength !== undefined ? { strength: t.strength as 2 | 3 } : {}),
    ...(t.groups
      ? {
          groups: (t.groups as Raw[]).map((g) => ({
            axes: [...(g.axes as string[])],
            strength: g.strength as 2 | 3,
          })),
        }
      : {}),
    ...(t.maxCells !== undefined ? { maxCells: Number(t.maxCells) } : {}),
    ...(t.seed ? { seed: [...(t.seed as string[])] } : {}),
    includeUnverified: t.includeUnverified === true,
  }));
  const overrides: CellOverrideRule[] = ((data.overrides as Raw[] | undefined) ?? []).map((o) => ({
    match: toSelector(o.match as RawSelector),
    ...(o.machine ? { machine: { ...(o.machine as Raw) } } : {}),
    ...(o.timeoutMinutes !== undefined ? { timeoutMinutes: Number(o.timeoutMinutes) } : {}),
    ...(o.stepTimeoutMinutes !== undefined ? { stepTimeoutMinutes: Number(o.stepTimeoutMinutes) } : {}),
  }));
  const impactRaw = (data.changeImpact as Raw | undefined) ?? {};
  const changeImpact: ChangeImpact = {
    ignore: [...((impactRaw.ignore as string[] | undefined) ?? [])],
    rules: ((impactRaw.rules as Raw[] | undefined) ?? []).map((r) => ({
      paths: [...(r.paths as string[])],
      ...(r.select ? { select: toSelector(r.select as RawSelector) } : {}),
      ...(r.roles ? { roles: [...(r.roles as NodeRole[])] } : {}),
    })),
  };
  const defaultsRaw = (data.defaults as Raw | undefined) ?? {};
  const defaults: MatrixDefaults = {
    machine: { ...DEFAULT_MACHINE, ...((defaultsRaw.machine as Raw | undefined) ?? {}) },
    timeoutMinutes: Number(defaultsRaw.timeoutMinutes ?? 60),
    stepTimeoutMinutes: Number(defaultsRaw.stepTimeoutMinutes ?? 30),
  };
  const limitsRaw = (data.limits as Raw | undefined) ?? {};
  const deployment = data.deployment as Raw | undefined;
  return {
    file,
    limits: { maxCells: Number(limitsRaw.maxCells ?? MATRIX_LIMITS.defaultMaxCells) },
    ...(deployment ? { deployment: { playbooks: String(deployment.playbooks) } } : {}),
    axes,
    layouts,
    steps,
    scenarios,
    exclude: ((data.exclude as RawSelector[] | undefined) ?? []).map(toSelector),
    constraints: ((data.constraints as Raw[] | undefined) ?? []).map((c) => ({
      kind: c.implies ? ('implies' as const) : ('requires' as const),
      if: toSelector(c.if as RawSelector),
      must: toSelector((c.implies ?? c.requires) as RawSelector),
    })),
    include: ((data.include as Array<Record<string, string>> | undefined) ?? []).map((i) => ({ ...i })),
    tiers,
    overrides,
    quarantine: ((data.quarantine as Raw[] | undefined) ?? []).map((q) => ({
      cell: String(q.cell),
      issue: String(q.issue),
      ...(q.reason ? { reason: String(q.reason) } : {}),
    })),
    changeImpact,
    defaults,
    pipeline: { ...DEFAULT_PIPELINE, ...((data.pipeline as Partial<PipelineSettings> | undefined) ?? {}) },
  };
}

function buildStep(id: string, step: Raw): StepDefinition {
  const scale = step.scale as Record<string, NodeRole> | undefined;
  const [action, role] = scale ? (Object.entries(scale)[0] ?? []) : [];
  return {
    id,
    kind: step.kind as StepDefinition['kind'],
    playbook: step.playbook === undefined ? '' : String(step.playbook),
    ...(step.description ? { description: String(step.description) } : {}),
    ...(step.vars ? { vars: toDictionary(step.vars as Raw) } : {}),
    ...(action && role ? { scale: { action: action as 'add' | 'remove', role } } : {}),
    checks: [...(step.checks as StepDefinition['checks'])],
    ...(step.timeoutMinutes !== undefined ? { timeoutMinutes: Number(step.timeoutMinutes) } : {}),
  };
}

// Names from the file (steps, layouts, variables) may be `constructor`, `toString` or
// `__proto__`: the dictionaries they key have no prototype, so a lookup finds only what the file
// defines and a `__proto__` key stays a key.
export function toDictionary<T>(raw: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = Object.create(null);
  for (const [key, value] of Object.entries(raw)) out[key] = value;
  return out;
}

function toSelector(raw: RawSelector): Selector {
  const selector: Selector = {};
  for (const [key, value] of Object.entries(raw)) selector[key] = Array.isArray(value) ? [...value] : [value];
  return selector;
}
