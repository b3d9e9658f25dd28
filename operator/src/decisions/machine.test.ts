import { describe, expect, it } from 'vitest';
import { makeMachine, T0 } from '../../test/builders.ts';
import { computeMachinePhase, computeMachineStatus } from './machine.ts';

describe('computeMachinePhase', () => {
  it('walks Idle -> Bound -> Deployed -> Ready', () => {
    expect(computeMachinePhase(makeMachine('m'))).toBe('Idle');
    expect(computeMachinePhase(makeMachine('m', { claim: { set: 's' } }))).toBe('Bound');
    expect(computeMachinePhase(makeMachine('m', { claim: { set: 's' }, deployed: true }))).toBe('Deployed');
    expect(
      computeMachinePhase(makeMachine('m', { claim: { set: 's' }, deployed: true, nodeReady: false })),
    ).toBe('Deployed');
    expect(
      computeMachinePhase(makeMachine('m', { claim: { set: 's' }, deployed: true, nodeReady: true })),
    ).toBe('Ready');
  });

  it('is Cleaning while a released machine still carries a deployment, then Idle', () => {
    expect(
      computeMachinePhase(makeMachine('m', { claim: { set: 's', releaseRequested: true }, deployed: true })),
    ).toBe('Cleaning');
    expect(computeMachinePhase(makeMachine('m', { deployed: true }))).toBe('Cleaning');
    expect(computeMachinePhase(makeMachine('m', { claim: { set: 's', releaseRequested: true } }))).toBe(
      'Bound',
    );
  });
});

describe('computeMachineStatus', () => {
  it('sets NodeHealthy from the recorded Node and Ready only in phase Ready', () => {
    const status = computeMachineStatus(
      makeMachine('m', { claim: { set: 's' }, deployed: true, nodeReady: false }),
      T0,
    );
    expect(status.conditions?.find((c) => c.type === 'NodeHealthy')).toMatchObject({
      status: 'False',
      reason: 'NodeNotReady',
    });
    expect(status.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    const ready = computeMachineStatus(
      makeMachine('m', { claim: { set: 's' }, deployed: true, nodeReady: true }),
      T0,
    );
    expect(ready.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
  });
});
