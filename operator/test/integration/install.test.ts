import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/api/v1alpha1/cluster.ts';
import type { ClusterDeployment } from '../../src/api/v1alpha1/cluster-deployment.ts';
import type { Machine } from '../../src/api/v1alpha1/machine.ts';
import {
  clusterDeploymentsType,
  clustersType,
  configMapsType,
  jobsType,
  machinesType,
  secretsType,
} from '../../src/controllers/resource-types.ts';
import type { BatchJob } from '../../src/decisions/observed-job.ts';
import { clusterDeploymentObject } from '../builders.ts';
import { createNode, finishJobPod } from '../kubelet-stand-in.ts';
import {
  parseYaml,
  setUpOperatorNamespace,
  type TestNamespace,
  testbedConfigured,
  updateWithRetry,
  waitFor,
} from '../test-env.ts';

interface JobSpec {
  spec: {
    backoffLimit: number;
    template: {
      spec: {
        volumes: Array<{ name: string; secret?: { secretName: string }; configMap?: { name: string } }>;
        containers: Array<{
          image: string;
          args: string[];
          volumeMounts: Array<{ name: string; readOnly?: boolean; mountPath: string }>;
        }>;
      };
    };
  };
}

async function clusterJobs(t: TestNamespace, cluster: string): Promise<BatchJob[]> {
  return (
    await t.client.list<BatchJob>(jobsType, t.name, { labelSelector: `kvmatrix.io/cluster=${cluster}` })
  ).items;
}

async function machines(t: TestNamespace): Promise<Machine[]> {
  return (await t.client.list<Machine>(machinesType, t.name)).items;
}

function condition(
  o: { status?: { conditions?: Array<{ type: string; status: string; reason: string; message: string }> } },
  type: string,
) {
  return o.status?.conditions?.find((c) => c.type === type);
}

describe.skipIf(!testbedConfigured())(
  'the operator on a real kube-apiserver and kube-controller-manager',
  () => {
    it.each([
      [
        'an executor image',
        { executorImage: 'evil.example/miner:latest' },
        'spec.executorImage "evil.example/miner:latest" is not allowed',
      ],
      [
        'an SSH key Secret',
        { sshKeySecret: 'gitlab-runner-token' },
        'spec.sshKeySecret "gitlab-runner-token" is not allowed',
      ],
    ] as const)(
      'starts no Job for a ClusterDeployment naming %s the operator does not allow',
      {
        timeout: 60_000,
      },
      async (_, extra, reason) => {
        const { ns: t, operator } = await setUpOperatorNamespace('refuse', 2);
        await t.client.create(
          clusterDeploymentsType,
          t.name,
          clusterDeploymentObject(
            'c9',
            [
              { name: 'cp', role: 'control-plane', replicas: 1, pool: 'a' },
              { name: 'workers', role: 'worker', replicas: 1, pool: 'a' },
            ],
            extra,
          ),
        );
        // Both machines get bound (that is allowed); the Job is what the policy withholds.
        await waitFor(
          'the refusal in the operator log',
          async () => operator.log().includes(reason) || undefined,
        );
        expect(await clusterJobs(t, 'c9')).toEqual([]);
      },
    );

    it('binds machines, writes the inventory ConfigMap and the Job, and reaches Ready when the Job succeeds', {
      timeout: 120_000,
    }, async () => {
      const { ns: t } = await setUpOperatorNamespace('install', 4);
      await t.client.create(configMapsType, t.name, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'addon-demo' },
        data: {
          'demo.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: demo-addon-applied, namespace: ${t.name}}\ndata: {hello: world}\n`,
        },
      });
      await t.client.create(
        clusterDeploymentsType,
        t.name,
        clusterDeploymentObject(
          'c1',
          [
            { name: 'cp', role: 'control-plane', replicas: 1, pool: 'a' },
            { name: 'workers', role: 'worker', replicas: 2, pool: 'a' },
          ],
          { addons: [{ name: 'demo', version: '1.0', manifestsConfigMap: 'addon-demo' }] },
        ),
      );

      const job = await waitFor('the install Job', async () => (await clusterJobs(t, 'c1'))[0]);
      expect(job.metadata.labels).toMatchObject({
        'kvmatrix.io/operation': 'install',
        'kvmatrix.io/attempt': '1',
        'kvmatrix.io/cluster': 'c1',
      });
      const bound = (await machines(t)).filter((m) => m.spec.claimRef?.clusterName === 'c1');
      expect(bound).toHaveLength(3);
      expect(bound.filter((m) => m.spec.claimRef?.role === 'control-plane')).toHaveLength(1);

      const spec = (job as unknown as JobSpec).spec;
      expect(spec.backoffLimit).toBe(0);
      const pod = spec.template.spec;
      expect(pod.volumes).toContainEqual(
        expect.objectContaining({
          name: 'ssh-key',
          secret: expect.objectContaining({ secretName: 'cluster-ssh' }),
        }),
      );
      expect(pod.containers[0]?.volumeMounts).toContainEqual(
        expect.objectContaining({ name: 'ssh-key', readOnly: true }),
      );
      expect(pod.containers[0]?.image).toBe('localhost/kvmatrix-executor:test');
      expect(pod.containers[0]?.args.at(-1)).toBe('/opt/kvmatrix/playbooks/cluster.yml');

      const cmName = pod.volumes.find((v) => v.name === 'inventory')?.configMap?.name as string;
      const cm = await t.client.get<{ immutable?: boolean; data: Record<string, string> }>(
        configMapsType,
        t.name,
        cmName,
      );
      expect(cm.immutable).toBe(true);
      const inventory = parseYaml<{
        all: {
          hosts: Record<string, unknown>;
          vars: Record<string, unknown>;
          children: Record<string, { hosts?: Record<string, unknown> }>;
        };
      }>(cm.data['inventory.yaml'] as string).all;
      expect(Object.keys(inventory.hosts).sort()).toEqual(bound.map((m) => m.metadata.name).sort());
      const cpName = bound.find((m) => m.spec.claimRef?.role === 'control-plane')?.metadata.name as string;
      expect(Object.keys(inventory.children.kube_control_plane?.hosts ?? {})).toEqual([cpName]);
      expect(Object.keys(inventory.children.kube_node?.hosts ?? {})).toHaveLength(2);
      expect(inventory.vars).toMatchObject({
        kube_version: '1.34.4',
        network_plugin: 'calico',
        kvmatrix_registry: '192.0.2.1:5000',
      });

      const running = await waitFor('the run recorded as Running', async () => {
        const c = await t.client.get<Cluster>(clustersType, t.name, 'c1');
        return c.status?.runs?.find((r) => r.job === job.metadata.name && r.result === 'Running')
          ? c
          : undefined;
      });
      expect(running.status?.phase).toBe('Provisioning');

      await finishJobPod(t.client, t.name, job.metadata.name, 'Succeeded');
      await waitFor('Cluster Provisioned', async () => {
        const c = await t.client.get<Cluster>(clustersType, t.name, 'c1');
        return condition(c, 'Provisioned')?.status === 'True';
      });
      await waitFor(
        'machines Deployed',
        async () => (await machines(t)).filter((m) => m.status?.phase === 'Deployed').length === 3,
      );

      // The install run publishes the workload cluster's kubeconfig; here the "workload cluster" is
      // the test control plane itself, whose Nodes the test registers as kubelets would.
      await t.client.create(secretsType, t.name, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'c1-kubeconfig' },
        stringData: { value: readFileSync(t.kubeconfig, 'utf8') },
      });
      for (const m of bound) await createNode(t.client, m.spec.hostname as string, true);

      const cd = await waitFor(
        'ClusterDeployment Ready',
        async () => {
          const got = await t.client.get<ClusterDeployment>(clusterDeploymentsType, t.name, 'c1');
          return condition(got, 'Ready')?.status === 'True' ? got : undefined;
        },
        60_000,
      );
      expect(cd.status?.phase).toBe('Ready');
      expect(cd.status?.kubernetesVersion).toBe('1.34.4');
      expect((await machines(t)).filter((m) => m.status?.phase === 'Ready')).toHaveLength(3);
      const applied = await t.client.get<{ data: Record<string, string> }>(
        configMapsType,
        t.name,
        'demo-addon-applied',
      );
      expect(applied.data.hello).toBe('world');
      expect(await clusterJobs(t, 'c1')).toHaveLength(1);
    });

    it('reports a failed Job with its log tail and runs it again only when asked', {
      timeout: 90_000,
    }, async () => {
      const { ns: t } = await setUpOperatorNamespace('failed', 1);
      await t.client.create(
        clusterDeploymentsType,
        t.name,
        clusterDeploymentObject('c2', [{ name: 'cp', role: 'control-plane', replicas: 1, pool: 'a' }]),
      );
      const job = await waitFor('the install Job', async () => (await clusterJobs(t, 'c2'))[0]);
      const tail =
        'TASK [kubeadm | Initialise the control plane] ***\nfatal: [m1]: FAILED! => {"rc": 1, "stderr": "port 6443 in use"}';
      await finishJobPod(t.client, t.name, job.metadata.name, 'Failed', { logTail: tail });

      const cd = await waitFor('ClusterDeployment Failed', async () => {
        const got = await t.client.get<ClusterDeployment>(clusterDeploymentsType, t.name, 'c2');
        return got.status?.phase === 'Failed' ? got : undefined;
      });
      expect(condition(cd, 'Provisioned')).toMatchObject({ status: 'False', reason: 'PlaybookFailed' });
      expect(condition(cd, 'Provisioned')?.message).toContain('port 6443 in use');
      const cluster = await t.client.get<Cluster>(clustersType, t.name, 'c2');
      expect(cluster.status?.runs?.at(-1)).toMatchObject({
        job: job.metadata.name,
        result: 'Failed',
        logTail: tail,
        attempt: 1,
      });

      await new Promise((r) => setTimeout(r, 2_000));
      expect(await clusterJobs(t, 'c2')).toHaveLength(1);

      await t.client.patch(clusterDeploymentsType, t.name, 'c2', {
        metadata: { annotations: { 'kvmatrix.io/retry': '1' } },
      });
      const second = await waitFor('a second attempt', async () =>
        (await clusterJobs(t, 'c2')).find((j) => j.metadata.labels?.['kvmatrix.io/attempt'] === '2'),
      );
      expect(second.metadata.name).not.toBe(job.metadata.name);
    });

    it('scales by exactly the new machines and removes a node before releasing its machine', {
      timeout: 120_000,
    }, async () => {
      const { ns: t } = await setUpOperatorNamespace('scale', 5);
      await t.client.create(
        clusterDeploymentsType,
        t.name,
        clusterDeploymentObject('c3', [
          { name: 'cp', role: 'control-plane', replicas: 1, pool: 'a' },
          { name: 'workers', role: 'worker', replicas: 1, pool: 'a' },
        ]),
      );
      const install = await waitFor('the install Job', async () => (await clusterJobs(t, 'c3'))[0]);
      await finishJobPod(t.client, t.name, install.metadata.name, 'Succeeded');
      await waitFor(
        'Cluster Provisioned',
        async () =>
          condition(await t.client.get<Cluster>(clustersType, t.name, 'c3'), 'Provisioned')?.status ===
          'True',
      );
      const before = (await machines(t))
        .filter((m) => m.spec.claimRef)
        .map((m) => m.metadata.name)
        .sort();
      expect(before).toHaveLength(2);

      await updateWithRetry<ClusterDeployment>(t.client, clusterDeploymentsType, t.name, 'c3', (cd) => {
        cd.spec.machineSets[1] = {
          ...(cd.spec.machineSets[1] as ClusterDeployment['spec']['machineSets'][number]),
          replicas: 3,
        };
      });
      const scale = await waitFor('the scale Job', async () =>
        (await clusterJobs(t, 'c3')).find((j) => j.metadata.labels?.['kvmatrix.io/operation'] === 'scale'),
      );
      const after = (await machines(t))
        .filter((m) => m.spec.claimRef)
        .map((m) => m.metadata.name)
        .sort();
      const added = after.filter((n) => !before.includes(n));
      expect(after).toHaveLength(4);
      expect(added).toHaveLength(2);
      expect(scale.metadata.annotations?.['kvmatrix.io/nodes']?.split(',').sort()).toEqual(added);
      const args = (scale as unknown as JobSpec).spec.template.spec.containers[0]?.args ?? [];
      const limit = args[args.indexOf('--limit') + 1]?.split(',') ?? [];
      for (const n of added) expect(limit).toContain(n);
      expect(limit).toHaveLength(3); // the new workers and the control plane, not the old worker
      await finishJobPod(t.client, t.name, scale.metadata.name, 'Succeeded');
      const scaled = await waitFor('four nodes deployed', async () => {
        const c = await t.client.get<Cluster>(clustersType, t.name, 'c3');
        return c.status?.nodes?.length === 4 && condition(c, 'Provisioned')?.status === 'True'
          ? c
          : undefined;
      });
      expect(scaled.status?.nodes).toEqual(after);

      // Scale down by one: the node is removed by a playbook first, then its machine is released.
      await updateWithRetry<ClusterDeployment>(t.client, clusterDeploymentsType, t.name, 'c3', (cd) => {
        cd.spec.machineSets[1] = {
          ...(cd.spec.machineSets[1] as ClusterDeployment['spec']['machineSets'][number]),
          replicas: 2,
        };
      });
      const remove = await waitFor('the remove-node Job', async () =>
        (await clusterJobs(t, 'c3')).find(
          (j) => j.metadata.labels?.['kvmatrix.io/operation'] === 'remove-node',
        ),
      );
      const leaving = remove.metadata.annotations?.['kvmatrix.io/nodes'] as string;
      expect(leaving.split(',')).toHaveLength(1);
      const cleaning = await t.client.get<Machine>(machinesType, t.name, leaving);
      expect(cleaning.spec.claimRef?.releaseRequested).toBe(true);
      await waitFor(
        'machine Cleaning',
        async () => (await t.client.get<Machine>(machinesType, t.name, leaving)).status?.phase === 'Cleaning',
      );
      await finishJobPod(t.client, t.name, remove.metadata.name, 'Succeeded');
      await waitFor('the released machine Idle', async () => {
        const m = await t.client.get<Machine>(machinesType, t.name, leaving);
        return !m.spec.claimRef && m.status?.phase === 'Idle' && !m.status.deployment;
      });
      const final = await t.client.get<Cluster>(clustersType, t.name, 'c3');
      expect(final.status?.nodes).toEqual(after.filter((n) => n !== leaving));
    });
  },
);
