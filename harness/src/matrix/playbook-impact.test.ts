import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../host/paths.ts';
import { loadMatrix } from './load-matrix.ts';
import { hostsReached } from './playbook-graph.ts';
import { createPlaybookImpact } from './playbook-impact.ts';
import { readRepoFile, shippedMatrixFile } from './test-helpers.ts';

// The real deployment code of this repository (symbolic links not followed, as the CLI reads it).
function readPlaybooks(dir = 'playbooks', code = new Map<string, string>()): Map<string, string> {
  for (const entry of readdirSync(path.join(repoRoot, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) readPlaybooks(rel, code);
    else if (entry.isFile()) code.set(rel, readFileSync(path.join(repoRoot, rel), 'utf8'));
  }
  return code;
}

describe('impact derived from the playbooks', () => {
  const matrix = loadMatrix(readRepoFile(shippedMatrixFile), shippedMatrixFile);
  const impact = createPlaybookImpact(matrix, readPlaybooks());
  const affected = (file: string) => {
    const fileImpact = impact.impactOf(file);
    expect(fileImpact, file).toBeDefined();
    return matrix.cells.filter((c) => fileImpact?.affects(c) !== undefined);
  };

  it('follows include_role with a templated name to the network plugin of the cell only', () => {
    const cells = affected('playbooks/roles/network_flannel/templates/flanneld.service.j2');
    expect(cells.length).toBeGreaterThan(0);
    expect(cells.every((c) => c.axes.network === 'flannel')).toBe(true);
    const reason = impact
      .impactOf('playbooks/roles/network_flannel/tasks/main.yml')
      ?.affects(cells[0] as (typeof cells)[0]);
    expect(reason).toMatch(
      /^reached by .*internal\/network\.yml > play "Run the pod network" > role network_flannel/,
    );
  });

  it('reaches plays on the etcd group only for layouts with etcd machines', () => {
    const cells = affected('playbooks/roles/etcd/templates/etcd.service.j2');
    expect(cells.length).toBeGreaterThan(0);
    const layouts = new Set(cells.map((c) => c.axes.layout));
    expect([...layouts]).toEqual(['external-etcd']);
  });

  it('reaches a role through a scenario’s entry playbooks only', () => {
    const cells = affected('playbooks/roles/upgrade/tasks/main.yml');
    expect(new Set(cells.map((c) => c.scenario))).toEqual(new Set(['upgrade']));
  });

  it('does not claim to understand a file no entry playbook reaches', () => {
    expect(impact.impactOf('playbooks/filter_plugins/kvmatrix_csr.py')).toBeUndefined();
    expect(impact.impactOf('playbooks/no-such-file.yml')).toBeUndefined();
    expect(impact.impactOf('operator/main.go')).toBeUndefined();
  });

  it('reads hosts patterns against the layout’s groups', () => {
    expect(hostsReached('etcd', new Set(['k8s_cluster']))).toBe(false);
    expect(hostsReached('k8s_cluster:etcd', new Set(['k8s_cluster']))).toBe(true);
    expect(hostsReached('kube_node:!kube_control_plane', new Set(['kube_node']))).toBe(true);
    expect(hostsReached('localhost', new Set())).toBe(true);
  });
});
