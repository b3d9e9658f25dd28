import { describe, expect, it } from 'vitest';
import { PENDING_GROUP } from '../contracts/inventory.ts';
import type { LayoutNode } from '../matrix/model.ts';
import type { Machine } from '../providers/provider.ts';
import { buildInventory, limitFor } from './inventory.ts';

const machine = (name: string, address: string): Machine => ({
  name,
  address,
  sshHost: address,
  sshPort: 22,
  sshUser: 'root',
  sshKeyFile: '/keys/id',
  facts: { kvmatrix_node_is_container: true },
});

describe('buildInventory', () => {
  const nodes: LayoutNode[] = [
    { name: 'cp1', roles: ['control-plane'] },
    { name: 'w1', roles: ['worker'] },
    { name: 'w2', roles: ['worker'], heldBack: true },
  ];
  const machines = [machine('cp1', '10.1.0.2'), machine('w1', '10.1.0.3'), machine('w2', '10.1.0.4')];

  it('puts every node in its role group, held-back nodes in the pending group, and facts as host vars', () => {
    const inv = buildInventory(nodes, machines, { kube_version: '1.34.4' }, new Set(['w2']));
    expect(Object.keys(inv.all.children.kube_control_plane?.hosts ?? {})).toEqual(['cp1']);
    expect(Object.keys(inv.all.children.kube_node?.hosts ?? {})).toEqual(['w1', 'w2']);
    expect(Object.keys(inv.all.children[PENDING_GROUP]?.hosts ?? {})).toEqual(['w2']);
    expect(inv.all.children.etcd).toBeUndefined();
    expect(inv.all.hosts.w1).toMatchObject({
      ansible_host: '10.1.0.3',
      ip: '10.1.0.3',
      kvmatrix_node_is_container: true,
    });
    expect(inv.all.vars).toMatchObject({ kube_version: '1.34.4', etcd_deployment: 'stacked' });
  });

  it('leaves the machines managed by the operator under test out of every group and host', () => {
    const layout: LayoutNode[] = [
      { name: 'mgmt', roles: ['control-plane', 'worker'] },
      { name: 'cp1', roles: ['managed', 'control-plane'] },
      { name: 'w2', roles: ['managed', 'worker'], heldBack: true },
    ];
    const inv = buildInventory(
      layout,
      [machine('mgmt', '10.1.0.1'), machine('cp1', '10.1.0.2'), machine('w2', '10.1.0.4')],
      {},
      new Set(['w2']),
    );
    expect(Object.keys(inv.all.hosts)).toEqual(['mgmt']);
    expect(Object.keys(inv.all.children.kube_control_plane?.hosts ?? {})).toEqual(['mgmt']);
    expect(Object.keys(inv.all.children[PENDING_GROUP]?.hosts ?? {})).toEqual([]);
  });

  it('declares an external etcd group only when the layout has etcd nodes', () => {
    const inv = buildInventory(
      [{ name: 'e1', roles: ['etcd'] }, ...nodes.slice(0, 2)],
      [machine('e1', '10.1.0.9'), ...machines.slice(0, 2)],
      {},
      new Set(),
    );
    expect(Object.keys(inv.all.children.etcd?.hosts ?? {})).toEqual(['e1']);
    expect(inv.all.vars.etcd_deployment).toBe('external');
  });

  it('refuses a layout node without a machine', () => {
    expect(() => buildInventory(nodes, machines.slice(0, 2), {}, new Set())).toThrow(/w2/);
  });
});

describe('limitFor', () => {
  it('excludes pending nodes from every step and keeps the step limit', () => {
    expect(limitFor(undefined, new Set())).toBeUndefined();
    expect(limitFor(undefined, new Set(['w2']))).toBe(`all:!${PENDING_GROUP}`);
    expect(limitFor('kube_node', new Set(['w2']))).toBe(`kube_node:!${PENDING_GROUP}`);
    expect(limitFor('cp1', new Set())).toBe('cp1');
  });
});
