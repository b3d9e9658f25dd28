import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MatrixError } from '../contracts/errors.ts';
import { listTrackedFiles } from '../git/changed-files.ts';
import { repoRoot } from '../host/paths.ts';
import { checkChangeImpactGlobs, checkPlaybookContract } from './check-contract.ts';
import { loadMatrix } from './load-matrix.ts';
import { readPlaybookContract } from './playbook-contract.ts';
import { readMatrix } from './read-matrix.ts';
import { selectTier } from './select-tier.ts';
import { readRepoFile, replaceOnce, shippedMatrixFile } from './test-helpers.ts';

const playbooks = path.join(repoRoot, 'playbooks');

function errorOf(run: () => void): MatrixError {
  try {
    run();
  } catch (error) {
    if (error instanceof MatrixError) return error;
    throw error;
  }
  throw new Error('expected a MatrixError');
}

describe('the contract between the matrix and the playbooks', () => {
  const scratch: string[] = [];
  afterAll(async () => {
    for (const dir of scratch) await rm(dir, { recursive: true, force: true });
  });

  it('is read from the validation play: runtimes, network plugins and OSes with their lines', async () => {
    const contract = await readPlaybookContract(playbooks, repoRoot);
    const byVariable = Object.fromEntries(contract.accepted.map((a) => [a.variable, a]));
    expect(byVariable.container_runtime?.values).toEqual(['containerd', 'containerd2']);
    expect(byVariable.network_plugin?.values).toEqual(['bridge', 'flannel']);
    expect(byVariable.kvmatrix_os?.values).toContain('debian13');
    const defaults = (await readFile(path.join(playbooks, 'roles/cluster/defaults/main.yml'), 'utf8')).split(
      '\n',
    );
    const at = byVariable.container_runtime?.definedAt;
    expect(at?.file).toBe('playbooks/roles/cluster/defaults/main.yml');
    expect(defaults[(at?.line ?? 0) - 1]).toMatch(/^cluster_container_runtimes: \[/);
    expect(byVariable.container_runtime?.assertedAt.file).toBe('playbooks/roles/cluster/tasks/validate.yml');
  });

  it('follows the playbooks: a new `<var> in <list>` assertion there becomes part of it', async () => {
    const copy = await mkdtemp(path.join(tmpdir(), 'kvm-contract-'));
    scratch.push(copy);
    await cp(playbooks, copy, { recursive: true, verbatimSymlinks: true });
    const validate = path.join(copy, 'roles/cluster/tasks/validate.yml');
    await writeFile(
      validate,
      `${await readFile(validate, 'utf8')}\n- name: Cluster | Check the proxy mode\n  ansible.builtin.assert:\n    that: proxy_mode in cluster_proxy_modes\n`,
    );
    const defaults = path.join(copy, 'roles/cluster/defaults/main.yml');
    await writeFile(defaults, `${await readFile(defaults, 'utf8')}cluster_proxy_modes: [iptables]\n`);
    const contract = await readPlaybookContract(copy, copy);
    expect(contract.accepted.find((a) => a.variable === 'proxy_mode')?.values).toEqual(['iptables']);
  });

  it('refuses an axis value the playbooks reject, naming file:line:key and what they accept', async () => {
    const contract = await readPlaybookContract(playbooks, repoRoot);
    const text = replaceOnce(
      readRepoFile(shippedMatrixFile),
      'vars: { container_runtime: containerd2 }',
      'vars: { container_runtime: crio }',
    );
    const matrix = loadMatrix(text, shippedMatrixFile);
    const error = errorOf(() => checkPlaybookContract(matrix, contract));
    const line = text.split('\n').findIndex((l) => l.includes('container_runtime: crio')) + 1;
    expect(error.location).toMatchObject({
      file: shippedMatrixFile,
      line,
      path: 'axes.runtime.values.containerd2.vars.container_runtime',
    });
    expect(error.message).toContain('container_runtime "crio"');
    expect(error.message).toMatch(
      /playbooks\/roles\/cluster\/defaults\/main\.yml:\d+:1 \(at cluster_container_runtimes\) accepts: containerd, containerd2$/,
    );
    expect(error.message).toContain('Check the choice of container runtime');
  });

  it('refuses a network plugin and an OS the roles do not support', async () => {
    const contract = await readPlaybookContract(playbooks, repoRoot);
    const shipped = readRepoFile(shippedMatrixFile);
    const cilium = loadMatrix(
      replaceOnce(shipped, 'vars: { network_plugin: flannel }', 'vars: { network_plugin: cilium }'),
      shippedMatrixFile,
    );
    expect(errorOf(() => checkPlaybookContract(cilium, contract)).location.path).toBe(
      'axes.network.values.flannel.vars.network_plugin',
    );
    const rocky = loadMatrix(
      replaceOnce(shipped, 'vars: { kvmatrix_os: debian13 }', 'vars: { kvmatrix_os: rocky9 }'),
      shippedMatrixFile,
    );
    expect(errorOf(() => checkPlaybookContract(rocky, contract)).message).toContain('kvmatrix_os "rocky9"');
  });

  it('holds for the shipped matrix: loading it checks it, and the nightly tier has no cell the playbooks reject', async () => {
    const matrix = await readMatrix(path.join(repoRoot, shippedMatrixFile));
    const contract = await readPlaybookContract(playbooks, repoRoot);
    const nightly = selectTier(matrix, 'nightly').cells;
    expect(nightly.length).toBeGreaterThan(100);
    for (const cell of nightly) {
      for (const axis of matrix.definition.axes) {
        const vars = axis.values.find((v) => v.id === cell.axes[axis.id])?.vars ?? {};
        for (const rule of contract.accepted) {
          if (rule.variable in vars) expect(rule.values, cell.name).toContain(vars[rule.variable]);
        }
      }
    }
    expect(nightly.some((c) => c.axes.runtime === 'crio')).toBe(false);
  });

  it('refuses a change-impact glob that matches no tracked file, naming its key', async () => {
    const tracked = await listTrackedFiles(repoRoot);
    if (!tracked) throw new Error('the repository is not a git work tree');
    const shipped = loadMatrix(readRepoFile(shippedMatrixFile), shippedMatrixFile);
    expect(() => checkChangeImpactGlobs(shipped, tracked.files)).not.toThrow();
    const text = replaceOnce(
      readRepoFile(shippedMatrixFile),
      '["playbooks/roles/containerd/**"]',
      '["playbooks/roles/crio/**"]',
    );
    const error = errorOf(() => checkChangeImpactGlobs(loadMatrix(text, shippedMatrixFile), tracked.files));
    expect(error.location.path).toMatch(/^changeImpact\.rules\[\d+\]\.paths\[0\]$/);
    expect(error.message).toContain('"playbooks/roles/crio/**" matches no tracked file');
  });
});
