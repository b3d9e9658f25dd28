import { describe, expect, it } from 'vitest';
import { observeJob } from './observed-job.ts';

const base = {
  metadata: {
    name: 'c1-install-t-1',
    creationTimestamp: '2026-01-01T00:00:00Z',
    labels: { 'kvmatrix.io/operation': 'install', 'kvmatrix.io/attempt': '1' },
    annotations: {
      'kvmatrix.io/nodes': 'm1,m2',
      'kvmatrix.io/target': 't',
      'kvmatrix.io/kubernetes-version': '1.34.4',
    },
  },
};

describe('observeJob', () => {
  it('reads what the Job was asked to do from its labels and annotations', () => {
    expect(observeJob(base)).toMatchObject({
      state: 'Running',
      operation: 'install',
      nodes: ['m1', 'm2'],
      target: 't',
      recorded: false,
    });
  });
  it('is Succeeded on Complete or SuccessCriteriaMet and Failed on Failed or FailureTarget', () => {
    const withCondition = (type: string) =>
      observeJob({ ...base, status: { conditions: [{ type, status: 'True', reason: 'R', message: 'm' }] } })
        .state;
    expect(withCondition('Complete')).toBe('Succeeded');
    expect(withCondition('SuccessCriteriaMet')).toBe('Succeeded');
    expect(withCondition('Failed')).toBe('Failed');
    expect(withCondition('FailureTarget')).toBe('Failed');
    expect(withCondition('Suspended')).toBe('Running');
  });
});
