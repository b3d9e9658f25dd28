import { spawn } from 'node:child_process';
import { access, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../system/paths.ts';
import { ensureGoldenImage } from '../common/golden-image.ts';
import { readRunIndex } from '../common/run-index.ts';
import { newRunId } from '../common/run-labels.ts';
import { runTool } from '../common/run-tool.ts';
import type { MachineSpec, RunIdentity } from '../provider.ts';
import { selectProvider } from '../select-provider.ts';
import { expectAllReachEachOther, expectAnsibleWorks } from '../test/machine-checks.ts';
import { ensurePodmanImage } from './podman-image.ts';
import { networkName } from './podman-network.ts';
import { PodmanProvider } from './podman-provider.ts';

// Real node containers: needs root, podman and runc (installed by `npm run setup`, which also
// builds the image). Runs serially; every test removes what it made.
const isRoot = process.getuid?.() === 0;
const provider = new PodmanProvider();
const spec = (name: string): MachineSpec => ({
  name,
  roles: [],
  os: 'debian12',
  cpus: 1,
  memoryMiB: 512,
  diskGiB: 5,
});
let scratch = '';
const track = (runId: string): string => {
  ourRuns.push(runId);
  return runId;
};
// Only the runs these tests made are reaped at the end: other runs on this host are not ours.
const ourRuns: string[] = [];

async function podmanNames(kind: string, runId: string): Promise<string[]> {
  const args = kind === 'container' ? ['ps', '-a'] : [kind, 'ls'];
  const format = kind === 'container' ? '{{.Names}}' : '{{.Name}}';
  const out = await runTool('podman', [
    ...args,
    '--filter',
    `label=kvmatrix.run=${runId}`,
    '--format',
    format,
  ]);
  return out.stdout.split('\n').filter(Boolean);
}

async function expectNothingLeft(runId: string, stateDir: string, bridge?: string): Promise<void> {
  expect(await podmanNames('container', runId)).toEqual([]);
  expect(await podmanNames('volume', runId)).toEqual([]);
  expect(await podmanNames('network', runId)).toEqual([]);
  const networks = await runTool('podman', ['network', 'ls', '--format', '{{.Name}}']);
  expect(networks.stdout).not.toContain(networkName(runId));
  if (bridge) expect((await runTool('ip', ['link', 'show', bridge])).exitCode).not.toBe(0);
  await expect(access(stateDir)).rejects.toThrow();
  expect((await readRunIndex()).map((e) => e.id.runId)).not.toContain(runId);
}

describe.runIf(isRoot)('the podman provider', () => {
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'kvm-providers-podman-'));
    process.env.KVMATRIX_STATE_DIR = path.join(scratch, 'state');
    await ensureGoldenImage('debian12');
    await ensurePodmanImage('debian12', () => {});
  }, 1_200_000);

  afterAll(async () => {
    for (const runId of ourRuns) await provider.reap({ runId });
    delete process.env.KVMATRIX_STATE_DIR;
    await rm(scratch, { recursive: true, force: true });
  });

  it('is chosen by auto when its preflight passes', async () => {
    const choice = await selectProvider('auto', [spec('a')]);
    expect(choice.provider.name).toBe('podman');
    expect(choice.message).toMatch(/podman/);
  });

  it('brings up three nodes that reach each other and run Ansible, and down leaves nothing', async () => {
    const id: RunIdentity = { runId: track(newRunId()), cell: 'test-podman-three' };
    const stateDir = path.join(scratch, 'run-three');
    const result = await provider.up({ id, machines: ['n1', 'n2', 'n3'].map(spec), stateDir });
    let bridge: string | undefined;
    try {
      expect(result.machines.map((m) => m.name)).toEqual(['n1', 'n2', 'n3']);
      expect(result.artifactHost).toMatch(/^10\.2\d\d\.\d+\.1$/);
      expect(result.machines[0]?.facts.kvmatrix_node_is_container).toBe(true);
      const inspect = await runTool('podman', [
        'network',
        'inspect',
        '--format',
        '{{.NetworkInterface}}',
        networkName(id.runId),
      ]);
      bridge = inspect.stdout.trim() || undefined;
      await expectAllReachEachOther(result.machines);
      await expectAnsibleWorks(result.machines);
      const ids = await runTool('podman', [
        'exec',
        `kvm-${id.runId}-n1`,
        'cat',
        '/etc/machine-id',
        '/etc/ssh/ssh_host_ed25519_key.pub',
      ]);
      const ids2 = await runTool('podman', [
        'exec',
        `kvm-${id.runId}-n2`,
        'cat',
        '/etc/machine-id',
        '/etc/ssh/ssh_host_ed25519_key.pub',
      ]);
      expect(ids.stdout).not.toBe(ids2.stdout);
    } finally {
      await provider.down(id, stateDir);
    }
    await expectNothingLeft(id.runId, stateDir, bridge);
    await provider.down(id, stateDir);
  }, 300_000);

  it('reaps what a harness killed with SIGKILL in the middle of up left behind', async () => {
    const name = `t${Date.now().toString(36).slice(-6)}`;
    const child = spawn(
      path.join(repoRoot, 'node_modules/.bin/node'),
      [
        path.join(repoRoot, 'harness/bin/kvmatrix.ts'),
        'vms',
        'up',
        '--provider',
        'podman',
        '--count',
        '3',
        '--name',
        name,
      ],
      { env: { ...process.env }, stdio: 'ignore' },
    );
    const deadline = Date.now() + 60_000;
    let runId = '';
    while (Date.now() < deadline && !runId) {
      const out = await runTool('podman', [
        'ps',
        '-a',
        '--filter',
        `label=kvmatrix.cell=vms-${name}`,
        '--format',
        '{{.Names}}',
      ]);
      if (out.stdout.trim())
        runId = (await readRunIndex('podman')).find((e) => e.id.cell === `vms-${name}`)?.id.runId ?? '';
      else await sleep(50);
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(runId).not.toBe('');
    track(runId);
    const report = await provider.reap({ runId });
    expect(report.removed.join('\n')).toMatch(/container kvm-/);
    await expectNothingLeft(runId, path.join(process.env.KVMATRIX_STATE_DIR ?? '', 'vms', name));
  }, 180_000);

  it('fails with a clear message and leaves nothing when the state dir is full', async () => {
    const full = path.join(scratch, 'full');
    await runTool('mkdir', ['-p', full]);
    expect(
      (await runTool('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'kvm-providers-full', full])).exitCode,
    ).toBe(0);
    try {
      await runTool('dd', ['if=/dev/zero', `of=${full}/fill`, 'bs=4k', 'count=16']);
      const id: RunIdentity = { runId: track(newRunId()), cell: 'test-podman-full' };
      const stateDir = path.join(full, 'run');
      await expect(provider.up({ id, machines: [spec('f1')], stateDir })).rejects.toThrow(/space|ENOSPC/i);
      expect(await podmanNames('container', id.runId)).toEqual([]);
      expect(await podmanNames('network', id.runId)).toEqual([]);
      expect(await readdir(full)).toEqual(['fill']);
    } finally {
      await runTool('umount', [full]);
    }
  }, 60_000);

  it('fails with a clear message and leaves nothing when the network cannot be created', async () => {
    const id: RunIdentity = { runId: track(newRunId()), cell: 'test-podman-network' };
    // A network of that name exists already (and is not ours): podman refuses to make the run's.
    await runTool('podman', ['network', 'create', '--subnet', '10.199.254.0/24', networkName(id.runId)]);
    try {
      const stateDir = path.join(scratch, 'run-network');
      await expect(provider.up({ id, machines: [spec('x1')], stateDir })).rejects.toThrow(
        /could not create the podman network/,
      );
      expect(await podmanNames('container', id.runId)).toEqual([]);
      expect(await podmanNames('volume', id.runId)).toEqual([]);
      await expect(access(stateDir)).rejects.toThrow();
    } finally {
      await runTool('podman', ['network', 'rm', '-f', networkName(id.runId)]);
    }
  }, 60_000);

  it('fails preflight with a hint when podman is not on PATH', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(selectProvider('podman', [spec('p1')])).rejects.toThrow(
        /podman is not installed or not on PATH/,
      );
    } finally {
      process.env.PATH = saved;
    }
  });
});
