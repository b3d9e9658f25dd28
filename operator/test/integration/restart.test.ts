import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/api/v1alpha1/cluster.ts';
import { clusterDeploymentsType, clustersType, jobsType } from '../../src/controllers/resource-types.ts';
import type { BatchJob } from '../../src/decisions/observed-job.ts';
import { clusterDeploymentObject } from '../builders.ts';
import { finishJobPod } from '../kubelet-stand-in.ts';
import { setUpOperatorNamespace, startOperator, testbedConfigured, waitFor } from '../test-env.ts';

describe.skipIf(!testbedConfigured())('a restarted operator', () => {
  it('adopts the Job its predecessor started instead of running a second one', {
    timeout: 120_000,
  }, async () => {
    const { ns: t, operator: first } = await setUpOperatorNamespace('restart', 2);
    await t.client.create(
      clusterDeploymentsType,
      t.name,
      clusterDeploymentObject('c1', [
        { name: 'cp', role: 'control-plane', replicas: 1, pool: 'a' },
        { name: 'workers', role: 'worker', replicas: 1, pool: 'a' },
      ]),
    );
    const jobs = async () =>
      (await t.client.list<BatchJob>(jobsType, t.name, { labelSelector: 'kvmatrix.io/cluster=c1' })).items;
    const job = await waitFor('the install Job', async () => (await jobs())[0]);
    await waitFor(
      'the run recorded',
      async () => (await t.client.get<Cluster>(clustersType, t.name, 'c1')).status?.runs?.length === 1,
    );

    await first.kill('SIGKILL'); // no lease release, no goodbye
    const second = startOperator(t);
    await waitFor('the successor to lead', async () => second.log().includes('caches synced'), 30_000);
    // Give it several reconcile rounds to do the wrong thing.
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await jobs()).map((j) => j.metadata.name)).toEqual([job.metadata.name]);

    await finishJobPod(t.client, t.name, job.metadata.name, 'Succeeded');
    const cluster = await waitFor('the adopted Job recorded', async () => {
      const c = await t.client.get<Cluster>(clustersType, t.name, 'c1');
      return c.status?.phase === 'Provisioned' ? c : undefined;
    });
    expect(cluster.status?.runs).toHaveLength(1);
    expect(cluster.status?.runs?.[0]).toMatchObject({ job: job.metadata.name, result: 'Succeeded' });
    expect(await jobs()).toHaveLength(1);
  });
});
