import { describe, expect, it } from 'vitest';
import { makeCluster, makeJob, T0, T1 } from '../../test/builders.ts';
import {
  computeClusterStatus,
  deployedAfter,
  extractLogTail,
  runFromJob,
  upsertRun,
} from './cluster-status.ts';

describe('deployedAfter', () => {
  const status = { nodes: ['m1', 'm2'], kubernetesVersion: '1.33.8' };
  it('follows each successful operation', () => {
    expect(deployedAfter({}, makeJob('j', { state: 'Succeeded', nodes: ['m2', 'm1'] }))).toEqual({
      nodes: ['m1', 'm2'],
      kubernetesVersion: '1.34.4',
    });
    expect(
      deployedAfter(status, makeJob('j', { state: 'Succeeded', operation: 'scale', nodes: ['m3'] })).nodes,
    ).toEqual(['m1', 'm2', 'm3']);
    expect(
      deployedAfter(status, makeJob('j', { state: 'Succeeded', operation: 'remove-node', nodes: ['m2'] }))
        .nodes,
    ).toEqual(['m1']);
    expect(
      deployedAfter(status, makeJob('j', { state: 'Succeeded', operation: 'upgrade' })).kubernetesVersion,
    ).toBe('1.34.4');
    expect(deployedAfter(status, makeJob('j', { state: 'Succeeded', operation: 'reset' }))).toEqual({
      nodes: [],
    });
  });
  it('changes nothing after a failure', () => {
    expect(
      deployedAfter(status, makeJob('j', { state: 'Failed', operation: 'scale', nodes: ['m3'] })),
    ).toEqual(status);
  });
});

describe('upsertRun', () => {
  it('replaces a run by Job name and keeps only the newest 20', () => {
    let runs = upsertRun(undefined, runFromJob(makeJob('j0')));
    runs = upsertRun(runs, runFromJob(makeJob('j0', { state: 'Failed' })));
    expect(runs).toHaveLength(1);
    expect(runs[0]?.result).toBe('Failed');
    for (let i = 1; i <= 25; i++)
      runs = upsertRun(
        runs,
        runFromJob(makeJob(`j${i}`, { startTime: `2026-01-02T00:00:${String(i).padStart(2, '0')}Z` })),
      );
    expect(runs).toHaveLength(20);
    expect(runs.at(-1)?.job).toBe('j25');
  });
});

describe('extractLogTail', () => {
  it('prefers the annotation, falls back to the termination message, and trims to the tail', () => {
    const pod = (annotations: Record<string, string>, message?: string) => ({
      metadata: { annotations, creationTimestamp: T0 },
      status: { containerStatuses: [{ state: { terminated: { message } } }] },
    });
    expect(extractLogTail([pod({ a: 'from annotation' }, 'from message')], 'a')).toBe('from annotation');
    expect(extractLogTail([pod({}, 'from message')], 'a')).toBe('from message');
    expect(extractLogTail([pod({}, `${'x'.repeat(5000)}END`)], 'a', 10)).toBe('xxxxxxxEND');
    expect(extractLogTail([], 'a')).toBeUndefined();
  });
});

describe('computeClusterStatus', () => {
  it('is Provisioned when up to date and Failed with the reason when a run failed', () => {
    const ok = computeClusterStatus(
      makeCluster(),
      { type: 'idle', reason: 'UpToDate', message: 'fine' },
      { nodes: ['m1'] },
      T1,
    );
    expect(ok.phase).toBe('Provisioned');
    expect(ok.conditions?.find((c) => c.type === 'Provisioned')?.status).toBe('True');
    const failed = computeClusterStatus(
      makeCluster(),
      { type: 'idle', reason: 'Failed', message: 'boom' },
      {},
      T1,
    );
    expect(failed.phase).toBe('Failed');
    expect(failed.conditions?.find((c) => c.type === 'Provisioned')).toMatchObject({
      reason: 'OperationFailed',
      message: 'boom',
    });
  });
  it('is Provisioning with OperationInProgress while a Job runs', () => {
    const s = computeClusterStatus(makeCluster(), { type: 'wait', job: makeJob('j1') }, {}, T1);
    expect(s.phase).toBe('Provisioning');
    expect(s.conditions?.find((c) => c.type === 'OperationInProgress')?.status).toBe('True');
  });
});
