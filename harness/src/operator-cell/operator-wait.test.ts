import { describe, expect, it } from 'vitest';
import { isReleased } from './delete-workload.ts';
import { describeClusterDeployment, isSettledReady } from './operator-wait.ts';

const spec = {
  machineSets: [
    { name: 'cp', replicas: 1 },
    { name: 'workers', replicas: 2 },
  ],
};
const status = (workersReady: number, generation = 2, observed = 2, phase = 'Ready') => ({
  metadata: { generation },
  spec,
  status: {
    phase,
    observedGeneration: observed,
    machineSets: [
      { name: 'cp', replicas: 1, boundReplicas: 1, readyReplicas: 1 },
      { name: 'workers', replicas: 2, boundReplicas: 2, readyReplicas: workersReady },
    ],
    conditions: [
      { type: 'Provisioned', status: 'True', reason: 'PlaybookSucceeded' },
      {
        type: 'Ready',
        status: workersReady === 2 ? 'True' : 'False',
        reason: 'NodesNotReady',
        message: 'workers: 1/2 Ready',
      },
    ],
  },
});

describe('isSettledReady', () => {
  it('is true only when the current generation is Ready with every set at its replicas', () => {
    expect(isSettledReady(status(2))).toBe(true);
    expect(isSettledReady(status(1))).toBe(false);
  });

  it('does not take the Ready of an older generation for the scaled spec', () => {
    expect(isSettledReady(status(2, 3, 2))).toBe(false);
  });

  it('is false without status', () => {
    expect(isSettledReady({ metadata: {}, spec })).toBe(false);
  });
});

describe('describeClusterDeployment', () => {
  it('names the phase, the sets and the first condition that is not True', () => {
    expect(describeClusterDeployment(status(1, 2, 2, 'Provisioning'))).toBe(
      'phase Provisioning; cp 1/1 bound 1 ready, workers 2/2 bound 1 ready; Ready=False NodesNotReady: workers: 1/2 Ready',
    );
  });
});

describe('isReleased', () => {
  it('is true only for an Idle machine without claim or recorded deployment', () => {
    const machine = (spec: object, status: object) => ({ metadata: { name: 'w1' }, spec, status });
    expect(isReleased(machine({}, { phase: 'Idle', deployment: null }))).toBe(true);
    expect(isReleased(machine({ claimRef: { clusterName: 'c' } }, { phase: 'Idle' }))).toBe(false);
    expect(isReleased(machine({}, { phase: 'Cleaning', deployment: { job: 'j' } }))).toBe(false);
    expect(isReleased(machine({}, { phase: 'Idle', deployment: { job: 'j' } }))).toBe(false);
  });
});
