import { describe, expect, it } from 'vitest';
import { makeCluster, makeClusterDeployment, T0, T1 } from '../../test/builders.ts';
import { setConditions } from '../api/v1alpha1/condition.ts';
import type { MachineSet } from '../api/v1alpha1/machine-set.ts';
import {
  childNeedsUpdate,
  computeClusterDeploymentStatus,
  desiredCluster,
  desiredMachineSets,
} from './cluster-deployment.ts';

function boundSets(ready: boolean): MachineSet[] {
  return desiredMachineSets(makeClusterDeployment()).map((s) => ({
    ...s,
    metadata: { ...s.metadata, generation: 1 },
    status: {
      observedGeneration: 1,
      replicas: s.spec.replicas,
      readyReplicas: ready ? s.spec.replicas : 0,
      conditions: setConditions(
        undefined,
        [{ type: 'MachinesBound', status: 'True', reason: 'MachinesBound', message: '' }],
        T0,
      ),
    },
  }));
}

describe('desired children', () => {
  it('owns one MachineSet per entry and one Cluster of the same name', () => {
    const cd = makeClusterDeployment();
    const sets = desiredMachineSets(cd);
    expect(sets.map((s) => s.metadata.name)).toEqual(['c1-cp', 'c1-workers']);
    expect(sets[1]?.spec).toEqual({
      clusterName: 'c1',
      role: 'worker',
      replicas: 2,
      selector: { matchLabels: { pool: 'a' } },
    });
    expect(sets[0]?.metadata.ownerReferences?.[0]).toMatchObject({
      uid: 'uid-cd',
      controller: true,
      blockOwnerDeletion: true,
    });
    const cluster = desiredCluster(cd);
    expect(cluster.metadata.name).toBe('c1');
    expect(cluster.spec).not.toHaveProperty('machineSets');
    expect(cluster.spec.clusterDeployment).toBe('c1');
  });

  it('needs an update when the spec differs, whatever the key order', () => {
    const want = desiredMachineSets(makeClusterDeployment())[0] as MachineSet;
    const reordered = {
      ...want,
      spec: { selector: want.spec.selector, replicas: 1, role: want.spec.role, clusterName: 'c1' },
    };
    expect(childNeedsUpdate(reordered, want)).toBe(false);
    expect(childNeedsUpdate({ ...want, spec: { ...want.spec, replicas: 3 } }, want)).toBe(true);
  });
});

describe('computeClusterDeploymentStatus', () => {
  it('is Binding while machines are missing', () => {
    const status = computeClusterDeploymentStatus(
      makeClusterDeployment(),
      desiredMachineSets(makeClusterDeployment()),
      undefined,
      T0,
    );
    expect(status.phase).toBe('Binding');
    expect(status.conditions?.find((c) => c.type === 'MachinesBound')?.status).toBe('False');
  });

  it('is Ready only when provisioned, every machine Ready and addons applied', () => {
    const cluster = makeCluster({
      observedGeneration: 1,
      kubernetesVersion: '1.34.4',
      nodes: ['m1'],
      conditions: setConditions(
        undefined,
        [{ type: 'Provisioned', status: 'True', reason: 'OperationSucceeded', message: 'ok' }],
        T0,
      ),
    });
    const notReady = computeClusterDeploymentStatus(makeClusterDeployment(), boundSets(false), cluster, T1);
    expect(notReady.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'NodesNotReady',
    });
    const ready = computeClusterDeploymentStatus(makeClusterDeployment(), boundSets(true), cluster, T1);
    expect(ready.phase).toBe('Ready');
    expect(ready.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    const withAddon = makeClusterDeployment({
      addons: [{ name: 'dns', version: '1', manifestsConfigMap: 'dns' }],
    });
    const pending = computeClusterDeploymentStatus(withAddon, boundSets(true), cluster, T1);
    expect(pending.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'AddonsPending',
    });
  });

  it('reports a failed playbook with the tail of its log', () => {
    const cluster = makeCluster({
      observedGeneration: 1,
      runs: [
        {
          operation: 'install',
          attempt: 1,
          job: 'j',
          target: 't',
          nodes: [],
          startTime: T0,
          result: 'Failed',
          logTail: 'TASK [x]\nfatal: boom',
        },
      ],
      conditions: setConditions(
        undefined,
        [{ type: 'Provisioned', status: 'False', reason: 'OperationFailed', message: 'install failed' }],
        T0,
      ),
    });
    const status = computeClusterDeploymentStatus(makeClusterDeployment(), boundSets(false), cluster, T1);
    expect(status.phase).toBe('Failed');
    expect(status.conditions?.find((c) => c.type === 'Provisioned')?.message).toContain('fatal: boom');
  });
});
