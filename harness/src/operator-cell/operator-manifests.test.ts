import { describe, expect, it } from 'vitest';
import type { LayoutNode } from '../matrix/model.ts';
import type { Machine } from '../providers/provider.ts';
import { readOperatorConfig } from './install-operator.ts';
import {
  countRoles,
  customizeOperatorManifests,
  POOL_ROLE_LABEL,
  renderClusterDeployment,
  renderMachine,
  renderWorkloadNamespace,
  SSH_KEY_SECRET,
  WORKLOAD_NAMESPACE,
} from './operator-manifests.ts';

const layout: LayoutNode[] = [
  { name: 'mgmt', roles: ['control-plane', 'worker'] },
  { name: 'cp1', roles: ['managed', 'control-plane'] },
  { name: 'w1', roles: ['managed', 'worker'] },
  { name: 'w2', roles: ['managed', 'worker'], heldBack: true },
];

const machine = (name: string, address: string): Machine => ({
  name,
  address,
  sshHost: '127.0.0.1',
  sshPort: 2222,
  sshUser: 'root',
  sshKeyFile: '/state/id_ed25519',
  facts: { kvmatrix_node_is_container: true, kvmatrix_provider: 'podman' },
});

interface DeploymentShape {
  spec: {
    replicas: number;
    template: { spec: { serviceAccountName: string; containers: Array<{ image: string; args: string[] }> } };
  };
}

describe('customizeOperatorManifests', () => {
  it('runs the shipped Deployment with one replica on the mirror image, with the Jobs on the same image', async () => {
    const docs = customizeOperatorManifests(await readOperatorConfig(), {
      image: '10.0.0.1:5000/kvmatrix/operator:abc',
      publishKubeconfigPlaybook: '/opt/kvmatrix/operator/executor/publish-kubeconfig.yml',
    });
    expect(
      docs
        .filter((d) => d.kind === 'CustomResourceDefinition')
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual([
      'clusterdeployments.kvmatrix.io',
      'clusters.kvmatrix.io',
      'machines.kvmatrix.io',
      'machinesets.kvmatrix.io',
    ]);
    const deployment = docs.find((d) => d.kind === 'Deployment') as unknown as DeploymentShape;
    expect(deployment.spec.replicas).toBe(1);
    const container = deployment.spec.template.spec.containers[0];
    expect(container?.image).toBe('10.0.0.1:5000/kvmatrix/operator:abc');
    expect(container?.args).toContain('--executor-image=10.0.0.1:5000/kvmatrix/operator:abc');
    expect(container?.args).toContain('--executor-service-account=kvmatrix-executor');
    expect(container?.args).toContain(
      '--publish-kubeconfig-playbook=/opt/kvmatrix/operator/executor/publish-kubeconfig.yml',
    );
    expect(container?.args.filter((a) => a.startsWith('--executor-image='))).toHaveLength(1);
    expect(docs.some((d) => d.kind === 'ClusterRole' && d.metadata.name === 'kvmatrix-executor')).toBe(true);
  });

  it('leaves the shipped objects it reads unchanged', async () => {
    const shipped = await readOperatorConfig();
    const before = JSON.stringify(shipped);
    customizeOperatorManifests(shipped, { image: 'x', publishKubeconfigPlaybook: 'y' });
    expect(JSON.stringify(shipped)).toBe(before);
  });
});

describe('renderMachine', () => {
  it('registers a managed node by its network address with the provider facts as host variables', () => {
    const m = renderMachine(layout[1] as LayoutNode, machine('cp1', '10.89.0.12'));
    expect(m).toMatchObject({
      kind: 'Machine',
      metadata: {
        name: 'cp1',
        namespace: WORKLOAD_NAMESPACE,
        labels: { [POOL_ROLE_LABEL]: 'control-plane' },
      },
      spec: {
        address: '10.89.0.12',
        sshUser: 'root',
        sshPort: 22,
        hostVars: { kvmatrix_node_is_container: true, ip: '10.89.0.12' },
      },
    });
    expect(JSON.stringify(m)).not.toContain('id_ed25519');
  });

  it('refuses a machine the harness itself deploys', () => {
    expect(() => renderMachine(layout[0] as LayoutNode, machine('mgmt', '10.89.0.11'))).toThrow(
      /not a managed/,
    );
  });
});

describe('renderClusterDeployment', () => {
  it('carries the cell axes, the mirror and one machine set per role selecting by layout role', () => {
    const cd = renderClusterDeployment({
      vars: {
        kube_version: '1.34.4',
        network_plugin: 'bridge',
        container_runtime: 'containerd',
        kvmatrix_os: 'debian12',
      },
      artifactUrl: 'http://10.89.0.1:8080',
      registry: '10.89.0.1:5000',
      replicas: countRoles(layout.filter((n) => !n.heldBack)),
    });
    expect(cd.spec).toMatchObject({
      kubernetesVersion: '1.34.4',
      networkPlugin: 'bridge',
      containerRuntime: 'containerd',
      os: 'debian12',
      sshKeySecret: SSH_KEY_SECRET,
      artifacts: { url: 'http://10.89.0.1:8080', registry: '10.89.0.1:5000' },
      machineSets: [
        {
          name: 'cp',
          role: 'control-plane',
          replicas: 1,
          selector: { matchLabels: { [POOL_ROLE_LABEL]: 'control-plane' } },
        },
        {
          name: 'workers',
          role: 'worker',
          replicas: 1,
          selector: { matchLabels: { [POOL_ROLE_LABEL]: 'worker' } },
        },
      ],
    });
  });

  it('counts only managed machines, so the scale step grows the workers set by the held-back one', () => {
    expect(countRoles(layout)).toEqual({ 'control-plane': 1, worker: 2 });
  });
});

describe('renderWorkloadNamespace', () => {
  it('binds the executor service account to the shipped ClusterRole in the cell namespace', () => {
    const binding = renderWorkloadNamespace().find((o) => o.kind === 'RoleBinding');
    expect(binding).toMatchObject({
      metadata: { namespace: WORKLOAD_NAMESPACE },
      roleRef: { kind: 'ClusterRole', name: 'kvmatrix-executor' },
      subjects: [{ kind: 'ServiceAccount', name: 'kvmatrix-executor', namespace: WORKLOAD_NAMESPACE }],
    });
  });
});
