import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import matrixSchema from '../../../matrix/schema/matrix.schema.json' with { type: 'json' };
import { checks } from '../checks/index.ts';
import { CHECK_IDS } from '../contracts/check-ids.ts';
import { repoRoot } from '../host/paths.ts';

// The schema's lists of entry playbooks, checks and node roles are checked against what the
// repository has, both ways: a new entry playbook or check that the schema does not list fails
// here, and so does a listed one that no longer exists.
describe('the schema enums against the repository', () => {
  const step = matrixSchema.definitions.step.properties;

  it('lists exactly the entry playbooks of playbooks/', () => {
    const entries = readdirSync(path.join(repoRoot, 'playbooks')).filter((f) => /\.ya?ml$/.test(f));
    expect([...step.playbook.enum].sort()).toEqual(entries.sort());
  });

  it('lists exactly the checks the runner implements, in the order they run', () => {
    expect([...step.checks.items.enum].sort()).toEqual(Object.keys(checks).sort());
    expect([...step.checks.items.enum].sort()).toEqual([...CHECK_IDS].sort());
  });

  it('lets a scale step add or remove only roles a layout machine can have', () => {
    const layoutRoles = JSON.stringify(matrixSchema.definitions.layoutAxis).match(
      /"roles":\{"type":"array"[^}]*"enum":\[([^\]]*)\]/,
    )?.[1];
    const roles = JSON.parse(`[${layoutRoles ?? ''}]`) as string[];
    expect(roles).toEqual(expect.arrayContaining(step.scale.properties.add.enum));
    expect(roles).toEqual(expect.arrayContaining(step.scale.properties.remove.enum));
  });
});
