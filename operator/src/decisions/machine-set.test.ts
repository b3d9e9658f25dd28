import { describe, expect, it } from 'vitest';
import { makeMachine, makeMachineSet, T0 } from '../../test/builders.ts';
import { computeMachineSetStatus, isIdle, orderCandidates, planMachineSet } from './machine-set.ts';

describe('planMachineSet', () => {
  it('asks for the missing machines among Idle ones that match the selector', () => {
    const set = makeMachineSet('c1-workers', 3);
    const claimed = [makeMachine('m1', { claim: { set: 'c1-workers' } })];
    const idle = [makeMachine('m2'), makeMachine('m3', { labels: { pool: 'b' } }), makeMachine('m4')];
    const plan = planMachineSet(set, claimed, idle);
    expect(plan.claimCount).toBe(2);
    expect([...plan.candidates].sort()).toEqual(['m2', 'm4']);
    expect(plan.release).toEqual([]);
  });

  it('claims nothing when the set already has its replicas', () => {
    const set = makeMachineSet('s', 1);
    const plan = planMachineSet(set, [makeMachine('m1', { claim: { set: 's' } })], [makeMachine('m2')]);
    expect(plan).toMatchObject({ claimCount: 0, candidates: [], release: [], requestRelease: [] });
  });

  it('releases undeployed surplus machines at once and asks deployed ones to be removed first', () => {
    const set = makeMachineSet('s', 1);
    const claimed = [
      makeMachine('m1', { claim: { set: 's' }, deployed: true }),
      makeMachine('m2', { claim: { set: 's' }, deployed: true }),
      makeMachine('m3', { claim: { set: 's' } }),
    ];
    const plan = planMachineSet(set, claimed, []);
    expect(plan.release).toEqual(['m3']);
    expect(plan.requestRelease).toEqual(['m2']);
  });

  it('drops the claim of a machine whose release was requested once nothing is deployed on it', () => {
    const set = makeMachineSet('s', 0);
    const claimed = [makeMachine('m1', { claim: { set: 's', releaseRequested: true } })];
    expect(planMachineSet(set, claimed, []).release).toEqual(['m1']);
  });

  it('on deletion releases everything and removes its finalizer only when no machine is still deployed', () => {
    const set = makeMachineSet('s', 2, { deleting: true });
    const deployed = planMachineSet(set, [makeMachine('m1', { claim: { set: 's' }, deployed: true })], []);
    expect(deployed).toMatchObject({ requestRelease: ['m1'], removeFinalizer: false });
    const clean = planMachineSet(set, [makeMachine('m1', { claim: { set: 's' } })], [makeMachine('m9')]);
    expect(clean).toMatchObject({ release: ['m1'], removeFinalizer: true, claimCount: 0 });
  });
});

describe('orderCandidates', () => {
  it('is a rotation of the sorted names that depends on the seed', () => {
    const names = Array.from({ length: 50 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    const a = orderCandidates(names, 'set-a');
    const b = orderCandidates(names, 'set-b');
    expect([...a].sort()).toEqual([...names].sort());
    expect(a[0]).not.toBe(b[0]);
    expect(orderCandidates(names, 'set-a')).toEqual(a);
  });
});

describe('isIdle', () => {
  it('is false for claimed, deployed or deleting machines', () => {
    expect(isIdle(makeMachine('m'))).toBe(true);
    expect(isIdle(makeMachine('m', { claim: { set: 's' } }))).toBe(false);
    expect(isIdle(makeMachine('m', { deployed: true }))).toBe(false);
    const deleting = makeMachine('m');
    deleting.metadata.deletionTimestamp = T0;
    expect(isIdle(deleting)).toBe(false);
  });
});

describe('computeMachineSetStatus', () => {
  it('reports InsufficientMachines until every replica is bound, then MachinesBound', () => {
    const set = makeMachineSet('s', 2);
    const one = computeMachineSetStatus(set, [makeMachine('m1', { claim: { set: 's' } })], T0);
    expect(one.conditions?.find((c) => c.type === 'MachinesBound')).toMatchObject({
      status: 'False',
      reason: 'InsufficientMachines',
    });
    const two = computeMachineSetStatus(
      set,
      [
        makeMachine('m1', { claim: { set: 's' } }),
        makeMachine('m2', { claim: { set: 's' }, phase: 'Ready' }),
      ],
      T0,
    );
    expect(two).toMatchObject({ replicas: 2, readyReplicas: 1, machines: ['m1', 'm2'] });
    expect(two.conditions?.find((c) => c.type === 'MachinesBound')?.status).toBe('True');
    expect(two.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
  });
});
