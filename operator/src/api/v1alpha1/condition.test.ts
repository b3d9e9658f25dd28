import { describe, expect, it } from 'vitest';
import { setConditions } from './condition.ts';

describe('setConditions', () => {
  const t0 = '2026-01-01T00:00:00Z';
  const t1 = '2026-01-01T01:00:00Z';

  it('keeps lastTransitionTime when only the reason or message changes', () => {
    const before = setConditions(
      undefined,
      [{ type: 'Ready', status: 'False', reason: 'A', message: 'a' }],
      t0,
    );
    const after = setConditions(before, [{ type: 'Ready', status: 'False', reason: 'B', message: 'b' }], t1);
    expect(after[0]).toMatchObject({ reason: 'B', message: 'b', lastTransitionTime: t0 });
  });

  it('moves lastTransitionTime when the status flips', () => {
    const before = setConditions(
      undefined,
      [{ type: 'Ready', status: 'False', reason: 'A', message: '' }],
      t0,
    );
    const after = setConditions(before, [{ type: 'Ready', status: 'True', reason: 'A', message: '' }], t1);
    expect(after[0]?.lastTransitionTime).toBe(t1);
  });

  it('keeps conditions it was not asked about and sorts by type', () => {
    const before = setConditions(undefined, [{ type: 'Zeta', status: 'True', reason: 'Z', message: '' }], t0);
    const after = setConditions(before, [{ type: 'Alpha', status: 'True', reason: 'A', message: '' }], t1);
    expect(after.map((c) => c.type)).toEqual(['Alpha', 'Zeta']);
  });
});
