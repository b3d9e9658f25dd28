import { describe, expect, it } from 'vitest';
import { makeCluster, makeJob, makeMachine, T1 } from '../../test/builders.ts';
import { decideInstall, jobNameFor, targetHash } from './operation.ts';

const cp = makeMachine('m1', { claim: { set: 'c1-cp', role: 'control-plane' } });
const w1 = makeMachine('m2', { claim: { set: 'c1-workers' } });
const w2 = makeMachine('m3', { claim: { set: 'c1-workers' } });

describe('decideInstall', () => {
  it('waits for machines before the first install', () => {
    const action = decideInstall({ cluster: makeCluster(), machines: [cp], allSetsBound: false, jobs: [] });
    expect(action).toMatchObject({ type: 'idle', reason: 'WaitingForMachines' });
  });

  it('installs on every bound machine once all sets are bound', () => {
    const action = decideInstall({
      cluster: makeCluster(),
      machines: [w1, cp],
      allSetsBound: true,
      jobs: [],
    });
    expect(action.type).toBe('start');
    if (action.type !== 'start') return;
    expect(action.plan).toMatchObject({
      operation: 'install',
      nodes: ['m1', 'm2'],
      attempt: 1,
      kubernetesVersion: '1.34.4',
    });
    expect(action.plan.limit).toBeUndefined();
    expect(action.plan.jobName).toBe(jobNameFor('c1', 'install', action.plan.target, 1));
  });

  it('decides the same Job name twice for the same state, so a restart adopts instead of duplicating', () => {
    const input = { cluster: makeCluster(), machines: [cp, w1], allSetsBound: true, jobs: [] };
    const a = decideInstall(input);
    const b = decideInstall(structuredClone(input));
    expect(a).toEqual(b);
  });

  it('waits while a Job runs and records a finished Job before deciding anything else', () => {
    const running = makeJob('c1-install-x-1');
    expect(
      decideInstall({ cluster: makeCluster(), machines: [cp], allSetsBound: true, jobs: [running] }),
    ).toEqual({
      type: 'wait',
      job: running,
    });
    const done = makeJob('c1-install-x-1', { state: 'Succeeded', completionTime: T1 });
    expect(
      decideInstall({ cluster: makeCluster(), machines: [cp], allSetsBound: true, jobs: [done] }),
    ).toEqual({
      type: 'record',
      job: done,
    });
  });

  it('scales with exactly the new machines, limited to them and the control plane', () => {
    const cluster = makeCluster({ nodes: ['m1', 'm2'], kubernetesVersion: '1.34.4' });
    const action = decideInstall({ cluster, machines: [cp, w1, w2], allSetsBound: true, jobs: [] });
    expect(action).toMatchObject({
      type: 'start',
      plan: { operation: 'scale', nodes: ['m3'], limit: ['m1', 'm3'] },
    });
    if (action.type === 'start') expect(action.plan.inventoryMachines).toEqual(['m1', 'm2', 'm3']);
  });

  it('removes nodes whose machines are being released before anything else', () => {
    const leaving = makeMachine('m3', {
      claim: { set: 'c1-workers', releaseRequested: true },
      deployed: true,
    });
    const cluster = makeCluster(
      { nodes: ['m1', 'm2', 'm3'], kubernetesVersion: '1.34.4' },
      { version: '1.34.5' },
    );
    const action = decideInstall({ cluster, machines: [cp, w1, leaving], allSetsBound: true, jobs: [] });
    expect(action).toMatchObject({ type: 'start', plan: { operation: 'remove-node', nodes: ['m3'] } });
  });

  it('upgrades when the spec version differs from the deployed one, passing the previous version', () => {
    const cluster = makeCluster({ nodes: ['m1', 'm2'], kubernetesVersion: '1.33.8' });
    const action = decideInstall({ cluster, machines: [cp, w1], allSetsBound: true, jobs: [] });
    expect(action).toMatchObject({
      type: 'start',
      plan: {
        operation: 'upgrade',
        nodes: ['m1', 'm2'],
        kubernetesVersion: '1.34.4',
        previousVersion: '1.33.8',
      },
    });
  });

  it('is up to date when nodes and version match', () => {
    const cluster = makeCluster({ nodes: ['m1', 'm2'], kubernetesVersion: '1.34.4' });
    expect(decideInstall({ cluster, machines: [cp, w1], allSetsBound: true, jobs: [] })).toMatchObject({
      type: 'idle',
      reason: 'UpToDate',
    });
  });

  it('does not retry a failed run until the retry annotation is raised, then uses the next attempt', () => {
    const target = targetHash('install', '1.34.4', ['m1', 'm2']);
    const failed = makeJob('c1-install-t-1', { state: 'Failed', target, recorded: true });
    const blocked = decideInstall({
      cluster: makeCluster(),
      machines: [cp, w1],
      allSetsBound: true,
      jobs: [failed],
    });
    expect(blocked).toMatchObject({ type: 'idle', reason: 'Failed' });
    const retried = decideInstall({
      cluster: makeCluster({}, { retry: '1' }),
      machines: [cp, w1],
      allSetsBound: true,
      jobs: [failed],
    });
    expect(retried).toMatchObject({ type: 'start', plan: { operation: 'install', attempt: 2 } });
  });

  it('resets deployed nodes on deletion and lets the Cluster go once none are left', () => {
    const deleting = makeCluster({ nodes: ['m1'] }, { deleting: true });
    expect(decideInstall({ cluster: deleting, machines: [cp], allSetsBound: true, jobs: [] })).toMatchObject({
      type: 'start',
      plan: { operation: 'reset', nodes: ['m1'] },
    });
    const empty = makeCluster({ nodes: [] }, { deleting: true });
    expect(decideInstall({ cluster: empty, machines: [], allSetsBound: false, jobs: [] })).toEqual({
      type: 'remove-finalizer',
    });
  });

  it('keeps Job names within the 63 characters a label value allows', () => {
    expect(jobNameFor('a'.repeat(80), 'remove-node', 'abcdef12', 999).length).toBeLessThanOrEqual(63);
  });
});
