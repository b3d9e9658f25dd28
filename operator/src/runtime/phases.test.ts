import { describe, expect, it } from 'vitest';
import { runPhases } from './phases.ts';

describe('runPhases', () => {
  it('runs the phases in order, then patches status once', async () => {
    const seen: string[] = [];
    await runPhases(
      seen,
      [async (s) => void s.push('a'), async (s) => void s.push('b')],
      async (s) => void s.push('status'),
    );
    expect(seen).toEqual(['a', 'b', 'status']);
  });

  it('still patches status when a phase throws, skips the later phases and rethrows the error', async () => {
    const seen: string[] = [];
    const boom = new Error('create MachineSet: forbidden');
    await expect(
      runPhases(
        seen,
        [
          async () => {
            throw boom;
          },
          async (s) => void s.push('never'),
        ],
        async (s) => void s.push('status'),
      ),
    ).rejects.toBe(boom);
    expect(seen).toEqual(['status']);
  });

  it("reports the phase's error, not the status patch's, when both fail", async () => {
    const patchErrors: unknown[] = [];
    const phaseError = new Error('phase');
    await expect(
      runPhases(
        {},
        [
          async () => {
            throw phaseError;
          },
        ],
        async () => {
          throw new Error('patch');
        },
        (e) => patchErrors.push(e),
      ),
    ).rejects.toBe(phaseError);
    expect(patchErrors).toHaveLength(1);
  });
});
