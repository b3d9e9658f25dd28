import { describe, expect, it } from 'vitest';
import { makeCluster } from '../../test/builders.ts';
import type { RunPlan } from './operation.ts';

interface JobShape {
  metadata: {
    labels: Record<string, string>;
    annotations: Record<string, string>;
    ownerReferences: unknown[];
  };
  spec: {
    backoffLimit: number;
    template: {
      spec: {
        restartPolicy: string;
        volumes: unknown[];
        containers: Array<{
          command: string[];
          args: string[];
          terminationMessagePolicy: string;
          volumeMounts: unknown[];
        }>;
      };
    };
  };
}

import { buildInventoryConfigMap, buildPlaybookJob } from './playbook-job.ts';

const plan: RunPlan = {
  operation: 'scale',
  nodes: ['w2'],
  inventoryMachines: ['cp1', 'w1', 'w2'],
  limit: ['cp1', 'w2'],
  kubernetesVersion: '1.34.4',
  target: 'abcd1234',
  attempt: 2,
  jobName: 'c1-scale-abcd1234-2',
};

describe('buildPlaybookJob', () => {
  const job = buildPlaybookJob(makeCluster(), plan, {
    image: 'localhost/kvmatrix-executor:1',
    activeDeadlineSeconds: 60,
  }) as unknown as JobShape;
  const pod = job.spec.template.spec;
  const container = pod.containers[0] as JobShape['spec']['template']['spec']['containers'][number];

  it('runs ansible-playbook once, never retried by the Job controller', () => {
    expect(job.spec.backoffLimit).toBe(0);
    expect(pod.restartPolicy).toBe('Never');
    expect(container.command).toEqual(['ansible-playbook']);
    expect(container.args).toEqual([
      '-i',
      '/etc/kvmatrix/inventory/inventory.yaml',
      '--private-key',
      '/etc/kvmatrix/ssh/ssh-privatekey',
      '--limit',
      'cp1,w2',
      '/opt/kvmatrix/playbooks/scale.yml',
    ]);
    expect(container.terminationMessagePolicy).toBe('FallbackToLogsOnError');
  });

  it('mounts the SSH key Secret read-only and the inventory ConfigMap', () => {
    expect(pod.volumes).toContainEqual({
      name: 'ssh-key',
      secret: { secretName: 'ssh', defaultMode: 0o400 },
    });
    expect(container.volumeMounts).toContainEqual({
      name: 'ssh-key',
      mountPath: '/etc/kvmatrix/ssh',
      readOnly: true,
    });
    expect(pod.volumes).toContainEqual({
      name: 'inventory',
      configMap: { name: 'c1-scale-abcd1234-2-inventory' },
    });
  });

  it('labels the Job with cluster, operation and attempt and is owned by the Cluster', () => {
    expect(job.metadata.labels).toMatchObject({
      'kvmatrix.io/cluster': 'c1',
      'kvmatrix.io/operation': 'scale',
      'kvmatrix.io/attempt': '2',
    });
    expect(job.metadata.ownerReferences[0]).toMatchObject({ kind: 'Cluster', name: 'c1', controller: true });
    expect(job.metadata.annotations['kvmatrix.io/nodes']).toBe('w2');
  });

  it('passes the leaving nodes to remove-node', () => {
    const remove = buildPlaybookJob(
      makeCluster(),
      { ...plan, operation: 'remove-node', limit: undefined },
      { image: 'i', activeDeadlineSeconds: 1 },
    ) as unknown as JobShape;
    expect(remove.spec.template.spec.containers[0]?.args).toContain('node=w2');
  });

  it('runs the kubeconfig publishing playbook after install, scale and upgrade only', () => {
    const executor = { image: 'i', activeDeadlineSeconds: 1, publishKubeconfigPlaybook: '/p.yml' };
    const argsOf = (operation: RunPlan['operation']) =>
      (buildPlaybookJob(makeCluster(), { ...plan, operation }, executor) as unknown as JobShape).spec.template
        .spec.containers[0]?.args;
    expect(argsOf('scale')?.slice(-2)).toEqual(['/opt/kvmatrix/playbooks/scale.yml', '/p.yml']);
    expect(argsOf('install')?.at(-1)).toBe('/p.yml');
    expect(argsOf('upgrade')?.at(-1)).toBe('/p.yml');
    expect(argsOf('reset')?.at(-1)).toBe('/opt/kvmatrix/playbooks/reset.yml');
    expect(argsOf('remove-node')).not.toContain('/p.yml');
  });
});

describe('buildInventoryConfigMap', () => {
  it('is immutable', () => {
    const cm = buildInventoryConfigMap(makeCluster(), plan, 'all: {}') as {
      immutable: boolean;
      data: Record<string, string>;
    };
    expect(cm.immutable).toBe(true);
    expect(cm.data['inventory.yaml']).toBe('all: {}');
  });
});
