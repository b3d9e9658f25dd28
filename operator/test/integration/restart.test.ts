import { afterAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/api/v1alpha1/cluster.ts';
import {
  clusterDeploymentsType,
  clustersType,
  jobsType,
  machinesType,
  secretsType,
} from '../../src/controllers/resource-types.ts';
import type { BatchJob } from '../../src/decisions/observed-job.ts';
import { finishJobPod } from '../kubelet-stand-in.ts';
import {
  clusterDeploymentObject,
  createTestNamespace,
  machineObject,
  type OperatorProcess,
  startOperator,
  type TestNamespace,
  testbedConfigured,
  testbedKubeconfig,
  testbedUnavailableReason,
  waitFor,
} from '../test-env.ts';

const kubeconfig = testbedKubeconfig();
let ns: TestNamespace | undefined;
const operators: OperatorProcess[] = [];

afterAll(async () => {
  for (const op of operators) await op.kill('SIGTERM');
  await ns?.cleanup();
});

describe.skipIf(!testbedConfigured())('a restarted operator', () => {
  it('adopts the Job its predecessor started instead of running a second one', {
    timeout: 120_000,
  }, async () => {
    if (!kubeconfig) throw new Error(`the test control plane is not running: ${testbedUnavailableReason()}`);
    ns = await createTestNamespace(kubeconfig, 'restart');
    const t = ns;
    await t.client.create(secretsType, t.name, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'cluster-ssh' },
      stringData: { 'ssh-privatekey': 'k' },
    });
    for (const name of ['m1', 'm2'])
      await t.client.create(machinesType, t.name, machineObject(name, { pool: 'a' }));
    const first = startOperator(t);
    operators.push(first);
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
    operators.push(second);
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
