import { describe, expect, it } from 'vitest';
import matrixSchema from '../../../matrix/schema/matrix.schema.json' with { type: 'json' };
import { checks } from '../checks/index.ts';
import { CHECK_IDS, orderChecks } from './check-ids.ts';

// Every `enum` in the schema that holds check ids (the step definitions' `checks`).
function checkEnums(node: unknown): string[][] {
  if (typeof node !== 'object' || node === null) return [];
  const out: string[][] = [];
  const record = node as Record<string, unknown>;
  if (Array.isArray(record.enum) && record.enum.includes('apiserver')) out.push(record.enum as string[]);
  for (const value of Object.values(record)) out.push(...checkEnums(value));
  return out;
}

describe('the check ids', () => {
  it('are the ones the matrix schema accepts, in the same order', () => {
    const enums = checkEnums(matrixSchema);
    expect(enums.length).toBeGreaterThan(0);
    for (const e of enums) expect(e).toEqual([...CHECK_IDS]);
  });

  it('each have a check, whose id is its key', () => {
    expect(Object.keys(checks).sort()).toEqual([...CHECK_IDS].sort());
    for (const id of CHECK_IDS) expect(checks[id].id).toBe(id);
  });

  it('run cheapest first whatever order a step names them in', () => {
    expect(orderChecks(['service-dns', 'apiserver', 'nodes-ready'])).toEqual([
      'apiserver',
      'nodes-ready',
      'service-dns',
    ]);
  });
});
