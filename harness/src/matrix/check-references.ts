import { MatrixError } from '../contracts/errors.ts';
import type { MatrixDefinition } from './model.ts';
import type { KeyPath, YamlSource } from './yaml-source.ts';

// Checks what the schema cannot: every name used in the file refers to something the file
// defines (axis values, steps, layouts' machines). Throws the first problem as a MatrixError.
export function checkReferences(def: MatrixDefinition, source: YamlSource): void {
  const known = knownValues(def);
  const data = source.data as Record<string, Record<string, unknown>>;
  const checkSelector = (path: KeyPath) => checkSelectorAt(known, source, path);

  for (const i of indexes(data.exclude)) checkSelector(['exclude', i]);
  for (const [id, scenario] of Object.entries(data.scenarios ?? {})) {
    if ((scenario as Record<string, unknown>).when) checkSelector(['scenarios', id, 'when']);
  }
  for (const [id, tier] of Object.entries(data.tiers ?? {})) {
    const t = tier as Record<string, unknown>;
    if (t.where) checkSelector(['tiers', id, 'where']);
    for (const i of indexes(t.exclude)) checkSelector(['tiers', id, 'exclude', i]);
    checkCoveringOptions(known, source, id, t);
  }
  for (const i of indexes(data.constraints)) {
    const c = (data.constraints as unknown as Array<Record<string, unknown>>)[i] ?? {};
    checkSelector(['constraints', i, 'if']);
    checkSelector(['constraints', i, c.implies ? 'implies' : 'requires']);
  }
  for (const i of indexes(data.overrides)) checkSelector(['overrides', i, 'match']);
  const rules = (data.changeImpact?.rules as Array<Record<string, unknown>> | undefined) ?? [];
  rules.forEach((rule, i) => {
    if (rule.select) checkSelector(['changeImpact', 'rules', i, 'select']);
  });

  const defaults = new Set(def.axes.filter((a) => a.values.some((v) => v.omitFromName)).map((a) => a.id));
  for (const [i, entry] of def.include.entries()) checkInclude(known, defaults, source, entry, i);

  for (const scenario of def.scenarios) {
    scenario.steps.forEach((stepId, j) => {
      if (!def.steps[stepId]) {
        throw new MatrixError(
          source.locate(['scenarios', scenario.id, 'steps', j]),
          `unknown step "${stepId}"; expected one of: ${Object.keys(def.steps).join(', ')}`,
          { hint: 'define the step under `steps:` or fix its name' },
        );
      }
    });
  }

  for (const axis of def.axes) {
    const omitted = axis.values.filter((v) => v.omitFromName);
    if (omitted.length > 1) {
      throw new MatrixError(
        source.locate(['axes', axis.id, 'values', omitted[1]?.id ?? '', 'omitFromName']),
        `axis "${axis.id}" has more than one value with omitFromName (${omitted.map((v) => v.id).join(', ')})`,
        { hint: 'cells would share names; keep omitFromName on one value, the one existing cells had' },
      );
    }
  }

  for (const layout of Object.values(def.layouts)) {
    const seen = new Set<string>();
    layout.nodes.forEach((node, k) => {
      const at = ['axes', 'layout', 'values', layout.id, 'nodes', k, 'name'];
      if (seen.has(node.name)) {
        throw new MatrixError(
          source.locate(at),
          `machine name "${node.name}" is used twice in layout "${layout.id}"`,
        );
      }
      seen.add(node.name);
    });
    if (!layout.nodes.some((n) => !n.heldBack && n.roles.includes('control-plane'))) {
      throw new MatrixError(
        source.locate(['axes', 'layout', 'values', layout.id, 'nodes']),
        `layout "${layout.id}" has no control-plane machine that is not held back`,
        { hint: 'a cluster needs a control plane from its first step' },
      );
    }
  }
}

// strength, groups, maxCells and seed shape a covering set: they mean nothing to the other
// strategies, so they are refused there rather than ignored.
const COVERING_OPTIONS = ['strength', 'groups', 'maxCells', 'seed'];

function checkCoveringOptions(
  known: KnownValues,
  source: YamlSource,
  id: string,
  tier: Record<string, unknown>,
): void {
  if (tier.strategy !== 'pairwise') {
    const option = COVERING_OPTIONS.find((o) => tier[o] !== undefined);
    if (option) {
      throw new MatrixError(
        source.locate(['tiers', id], option),
        `tier "${id}": ${option} applies to strategy pairwise only (this tier is ${String(tier.strategy)})`,
        { hint: 'remove the option, or make the tier pairwise' },
      );
    }
    return;
  }
  const groups = (tier.groups as Array<{ axes: string[] }> | undefined) ?? [];
  groups.forEach((group, g) => {
    group.axes.forEach((axis, a) => {
      if (!known.has(axis)) {
        throw new MatrixError(
          source.locate(['tiers', id, 'groups', g, 'axes', a]),
          `unknown axis "${axis}"; expected one of: ${[...known.keys()].join(', ')}`,
        );
      }
    });
  });
}

type KnownValues = Map<string, Set<string>>;

function knownValues(def: MatrixDefinition): KnownValues {
  const known: KnownValues = new Map(def.axes.map((a) => [a.id, new Set(a.values.map((v) => v.id))]));
  known.set('scenario', new Set(def.scenarios.map((s) => s.id)));
  return known;
}

function describeKnown(known: KnownValues, key: string): string {
  return [...(known.get(key) ?? [])].join(', ');
}

function checkSelectorAt(known: KnownValues, source: YamlSource, path: KeyPath): void {
  const raw = valueAt(source.data, path) as Record<string, string | string[]>;
  for (const [key, value] of Object.entries(raw)) {
    const values = known.get(key);
    if (!values) {
      throw new MatrixError(
        source.locate(path, key),
        `unknown axis "${key}"; expected one of: ${[...known.keys()].join(', ')}`,
      );
    }
    const list = Array.isArray(value) ? value : [value];
    list.forEach((v, j) => {
      if (!values.has(v)) {
        throw new MatrixError(
          source.locate(Array.isArray(value) ? [...path, key, j] : [...path, key]),
          `unknown value "${v}" for axis "${key}"; expected one of: ${describeKnown(known, key)}`,
        );
      }
    });
  }
}

function checkInclude(
  known: KnownValues,
  defaults: Set<string>,
  source: YamlSource,
  entry: Record<string, string>,
  i: number,
): void {
  const path = ['include', i];
  for (const [key, value] of Object.entries(entry)) {
    const values = known.get(key);
    if (!values) {
      throw new MatrixError(
        source.locate(path, key),
        `unknown axis "${key}"; expected one of: ${[...known.keys()].join(', ')}`,
      );
    }
    if (!values.has(value)) {
      throw new MatrixError(
        source.locate([...path, key]),
        `unknown value "${value}" for axis "${key}"; expected one of: ${describeKnown(known, key)}`,
      );
    }
  }
  // An axis with an omitFromName value may be left out: that value is the one meant.
  const missing = [...known.keys()].filter((key) => !Object.hasOwn(entry, key) && !defaults.has(key));
  if (missing.length) {
    throw new MatrixError(
      source.locate(path),
      `an included cell needs one value of every axis and the scenario; missing: ${missing.join(', ')}`,
    );
  }
}

function indexes(list: unknown): number[] {
  return Array.isArray(list) ? list.map((_, i) => i) : [];
}

function valueAt(data: unknown, path: KeyPath): unknown {
  let value = data;
  for (const part of path) value = (value as Record<string | number, unknown> | undefined)?.[part];
  return value ?? {};
}
