import { describe, expect, it } from 'vitest';
import { KvError } from '../contracts/errors.ts';
import { loadMatrix } from './load-matrix.ts';
import { resolveCellByName } from './resolve-cell.ts';
import { loadSmall, readRepoFile, shippedMatrixFile } from './test-helpers.ts';

describe('resolving a cell for `kvmatrix run`', () => {
  const matrix = loadSmall();

  it('merges the Ansible vars of its axis values', () => {
    const cell = resolveCellByName(matrix, 'debian12-1.34-crio-flannel-aio-deploy');
    expect(cell.vars).toEqual({
      kvmatrix_os: 'debian12',
      kube_version: '1.34.4',
      kube_version_previous: '1.33.13',
      container_runtime: 'crio',
      network_plugin: 'flannel',
    });
    expect(cell.providers).toEqual(['podman', 'qemu']);
  });

  it('resolves $-brace references in step vars, whole values and inside strings', () => {
    const cell = resolveCellByName(matrix, 'debian12-1.34-containerd-bridge-aio-upgrade');
    expect(cell.steps.map((s) => [s.id, s.playbook, s.vars])).toEqual([
      ['deploy-previous', 'cluster.yml', { kube_version: '1.33.13' }],
      ['upgrade', 'upgrade.yml', { kube_version: '1.34.4', note: 'to 1.34.4 from 1.33.13' }],
    ]);
  });

  it('provisions held-back machines only for a scenario whose scale step adds them', () => {
    const scale = resolveCellByName(matrix, 'debian12-1.34-containerd-bridge-1cp-1w-scale-worker');
    expect(scale.layout.nodes.map((n) => n.name)).toEqual(['cp1', 'w1', 'w2']);
    expect(scale.layout.nodes.find((n) => n.name === 'w2')?.heldBack).toBe(true);
    expect(scale.steps[1]).toMatchObject({ id: 'add-worker', kind: 'scale-up', nodes: ['w2'] });
    const deploy = resolveCellByName(matrix, 'debian12-1.34-containerd-bridge-1cp-1w-deploy');
    expect(deploy.layout.nodes.map((n) => n.name)).toEqual(['cp1', 'w1']);
  });

  it('applies defaults and overrides to machine size and timeouts', () => {
    const cell = resolveCellByName(matrix, 'debian12-1.33-containerd-bridge-external-etcd-deploy');
    expect(cell.machine).toEqual({ cpus: 2, memoryMiB: 3072, diskGiB: 20 });
    expect(cell.timeoutMinutes).toBe(90);
    expect(cell.steps[0]?.timeoutMinutes).toBe(30);
  });

  it('gives repeated steps distinct ids and removes a machine added earlier', () => {
    const shipped = loadMatrix(readRepoFile(shippedMatrixFile), shippedMatrixFile);
    const reset = resolveCellByName(shipped, 'debian12-1.34-containerd-bridge-aio-reset');
    expect(reset.steps.map((s) => s.id)).toEqual(['deploy', 'reset', 'deploy-2']);
    const scale = resolveCellByName(shipped, 'debian12-1.34-containerd-bridge-1cp-1w-scale-worker');
    expect(scale.steps.map((s) => [s.id, s.playbook, s.nodes])).toEqual([
      ['deploy', 'cluster.yml', undefined],
      ['add-worker', 'scale.yml', ['w2']],
      ['remove-worker', 'remove-node.yml', ['w2']],
    ]);
    const etcd = resolveCellByName(shipped, 'debian12-1.34-containerd-bridge-external-etcd-scale-etcd');
    expect(etcd.steps[1]?.nodes).toEqual(['etcd4', 'etcd5']);
    expect(etcd.layout.nodes).toHaveLength(7);
  });

  it('names a missing cell with close matches', () => {
    const error = (() => {
      try {
        resolveCellByName(matrix, 'debian12-1.34-containerd-bridge-aio-deplo');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(KvError);
    expect((error as KvError).code).toBe('NOT_FOUND');
    expect((error as KvError).hint).toContain('debian12-1.34-containerd-bridge-aio-deploy');
  });
});
