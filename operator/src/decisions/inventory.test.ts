import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { makeCluster, makeMachine } from '../../test/builders.ts';
import { renderInventory } from './inventory.ts';
import type { RunPlan } from './operation.ts';

const machines = [
  makeMachine('cp1', { claim: { set: 'cp', role: 'control-plane' } }),
  makeMachine('w1', { claim: { set: 'w' } }),
  makeMachine('e1', { claim: { set: 'e', role: 'etcd' } }),
  makeMachine('other', { claim: { set: 'w' } }),
];
const plan: RunPlan = {
  operation: 'upgrade',
  nodes: ['cp1', 'w1'],
  inventoryMachines: ['cp1', 'w1', 'e1'],
  kubernetesVersion: '1.34.4',
  previousVersion: '1.33.8',
  target: 't',
  attempt: 1,
  jobName: 'j',
};

describe('renderInventory', () => {
  it('writes the contract groups, hosts and variables', () => {
    const inv = parse(renderInventory(makeCluster().spec, plan, machines)).all;
    expect(Object.keys(inv.hosts).sort()).toEqual(['cp1', 'e1', 'w1']);
    expect(inv.hosts.cp1).toMatchObject({
      ansible_user: 'root',
      ansible_port: 22,
      ansible_host: machines[0]?.spec.address,
    });
    expect(Object.keys(inv.children.kube_control_plane.hosts)).toEqual(['cp1']);
    expect(Object.keys(inv.children.kube_node.hosts)).toEqual(['w1']);
    expect(inv.children.k8s_cluster.children).toEqual({ kube_control_plane: null, kube_node: null });
    // Stacked etcd: the playbooks take a non-empty etcd group for external etcd members.
    expect(inv.children.etcd).toBeUndefined();
    expect(inv.vars).toMatchObject({
      kube_version: '1.34.4',
      kube_version_previous: '1.33.8',
      container_runtime: 'containerd',
      network_plugin: 'calico',
      kvmatrix_artifact_url: 'http://10.0.0.1:8080',
      kvmatrix_registry: '10.0.0.1:5000',
    });
  });

  it('gives each host the host variables of its machine, under the connection variables', () => {
    const withVars = machines.map((m) =>
      m.metadata.name === 'cp1'
        ? { ...m, spec: { ...m.spec, hostVars: { kvmatrix_node_is_container: true, ansible_host: 'x' } } }
        : m,
    );
    const inv = parse(renderInventory(makeCluster().spec, plan, withVars)).all;
    expect(inv.hosts.cp1.kvmatrix_node_is_container).toBe(true);
    expect(inv.hosts.cp1.ansible_host).toBe(machines[0]?.spec.address);
    expect(inv.hosts.w1.kvmatrix_node_is_container).toBeUndefined();
  });

  it('puts the etcd machines in the etcd group for external etcd', () => {
    const spec = { ...makeCluster().spec, etcd: { topology: 'external' as const } };
    const inv = parse(renderInventory(spec, plan, machines)).all;
    expect(Object.keys(inv.children.etcd.hosts)).toEqual(['e1']);
    expect(inv.vars.etcd_deployment_topology).toBe('external');
  });
});
