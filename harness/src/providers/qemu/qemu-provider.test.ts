import { spawn } from 'node:child_process';
import { access, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../system/paths.ts';
import { ensureGoldenImage, type GoldenImage } from '../common/golden-image.ts';
import { readRunIndex } from '../common/run-index.ts';
import { newRunId } from '../common/run-labels.ts';
import { runTool } from '../common/run-tool.ts';
import type { MachineSpec, RunIdentity } from '../provider.ts';
import { selectProvider } from '../select-provider.ts';
import { expectAllReachEachOther, expectAnsibleWorks } from '../test/machine-checks.ts';
import { chooseAccel } from './accel-probe.ts';
import { listRunLinks } from './qemu-network.ts';
import { QemuProvider } from './qemu-provider.ts';
import { ensureSnapshot } from './snapshot.ts';
import { findQemuProcesses } from './vm-process.ts';

// Real VMs (TCG on hosts whose /dev/kvm cannot run the node kernel). Needs root, qemu and the
// golden image and template snapshot that `npm run setup` builds. Serial; each test cleans up.
const isRoot = process.getuid?.() === 0;
// The VM tests resume clones from the template snapshot `npm run setup` builds (step 30-images).
// Measured under TCG on a shared 2-core host at load 14-17: the three-VM test 190 s (up about
// 60 s, Ansible against TCG guests the rest), the SIGKILL reap test 4-15 s.
// KVMATRIX_TEST_QEMU_VMS=0 skips them (a host without the snapshot, or too loaded for TCG).
const withVms = process.env.KVMATRIX_TEST_QEMU_VMS !== '0';
const provider = new QemuProvider();
const spec = (name: string): MachineSpec => ({
  name,
  roles: [],
  os: 'debian12',
  cpus: 2,
  memoryMiB: 1024,
  diskGiB: 4,
});
let scratch = '';
const track = (runId: string): string => {
  ourRuns.push(runId);
  return runId;
};
// Only the runs these tests made are reaped at the end: other runs on this host are not ours.
const ourRuns: string[] = [];
let image: GoldenImage;

async function expectNothingLeft(runId: string, stateDir: string): Promise<void> {
  expect(await findQemuProcesses(runId)).toEqual([]);
  expect(await listRunLinks(runId)).toEqual([]);
  const rules = await runTool('iptables', ['-S', 'FORWARD']);
  expect(rules.stdout).not.toContain(`kvmatrix.run=${runId}`);
  await expect(access(stateDir)).rejects.toThrow();
  expect((await readRunIndex()).map((e) => e.id.runId)).not.toContain(runId);
}

describe.runIf(isRoot)('the qemu provider', () => {
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'kvm-providers-qemu-'));
    process.env.KVMATRIX_STATE_DIR = path.join(scratch, 'state');
    image = await ensureGoldenImage('debian12');
    const accel = await chooseAccel(image.kernel, image.initrd);
    if (withVms) await ensureSnapshot(image, accel, 2, 1024, () => {});
  }, 1_200_000);

  afterAll(async () => {
    for (const runId of ourRuns) await provider.reap({ runId });
    delete process.env.KVMATRIX_STATE_DIR;
    await rm(scratch, { recursive: true, force: true });
  });

  it('falls back to TCG with a reason when /dev/kvm cannot run the node kernel', async () => {
    const accel = await chooseAccel(image.kernel, image.initrd);
    expect(['kvm', 'tcg']).toContain(accel.accel);
    if (accel.accel === 'tcg') {
      expect(accel.args).toContain('tcg,thread=multi,tb-size=128');
      expect(accel.reason).toMatch(/TCG/);
    }
  });

  it.runIf(withVms)(
    'brings up three VMs that reach each other and run Ansible, and down leaves nothing',
    async () => {
      const id: RunIdentity = { runId: track(newRunId()), cell: 'test-qemu-three' };
      const stateDir = path.join(scratch, 'run-three');
      const result = await provider.up({ id, machines: ['v1', 'v2', 'v3'].map(spec), stateDir });
      try {
        expect(result.machines.map((m) => m.name)).toEqual(['v1', 'v2', 'v3']);
        expect(result.machines[0]?.facts.kvmatrix_node_is_container).toBe(false);
        expect((await findQemuProcesses(id.runId)).length).toBe(3);
        await expectAllReachEachOther(result.machines);
        await expectAnsibleWorks(result.machines);
      } finally {
        await provider.down(id, stateDir);
      }
      await expectNothingLeft(id.runId, stateDir);
      await provider.down(id, stateDir);
    },
    400_000,
  );

  it.runIf(withVms)(
    'reaps what a harness killed with SIGKILL in the middle of up left behind',
    async () => {
      const name = `q${Date.now().toString(36).slice(-6)}`;
      const child = spawn(
        path.join(repoRoot, 'node_modules/.bin/node'),
        [
          path.join(repoRoot, 'harness/bin/kvmatrix.ts'),
          'vms',
          'up',
          '--provider',
          'qemu',
          '--count',
          '2',
          '--name',
          name,
        ],
        { env: { ...process.env }, stdio: 'ignore' },
      );
      const deadline = Date.now() + 120_000;
      let runId = '';
      while (Date.now() < deadline && !runId) {
        const entry = (await readRunIndex('qemu')).find((e) => e.id.cell === `vms-${name}`);
        if (entry && (await findQemuProcesses(entry.id.runId)).length > 0) runId = entry.id.runId;
        else await sleep(50);
      }
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      expect(runId).not.toBe('');
      track(runId);
      const report = await provider.reap({ runId });
      expect(report.removed.join('\n')).toMatch(/qemu pid/);
      await expectNothingLeft(runId, path.join(process.env.KVMATRIX_STATE_DIR ?? '', 'vms', name));
    },
    240_000,
  );

  it('fails with a clear message and leaves nothing when the state dir is full', async () => {
    const full = path.join(scratch, 'full');
    await runTool('mkdir', ['-p', full]);
    expect(
      (await runTool('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'kvm-providers-full', full])).exitCode,
    ).toBe(0);
    try {
      await runTool('dd', ['if=/dev/zero', `of=${full}/fill`, 'bs=4k', 'count=16']);
      const id: RunIdentity = { runId: track(newRunId()), cell: 'test-qemu-full' };
      await expect(
        provider.up({ id, machines: [spec('f1')], stateDir: path.join(full, 'run') }),
      ).rejects.toThrow(/space/i);
      expect(await findQemuProcesses(id.runId)).toEqual([]);
      expect(await listRunLinks(id.runId)).toEqual([]);
      expect(await readdir(full)).toEqual(['fill']);
    } finally {
      await runTool('umount', [full]);
    }
  }, 60_000);

  it('fails with a clear message and leaves nothing when the bridge cannot be created', async () => {
    const id: RunIdentity = { runId: track(newRunId()), cell: 'test-qemu-network' };
    const { bridgeName } = await import('./qemu-network.ts');
    // An interface of that name exists already (not ours): the run's bridge cannot be made.
    await runTool('ip', ['link', 'add', bridgeName(id.runId), 'type', 'bridge']);
    try {
      const stateDir = path.join(scratch, 'run-network');
      await expect(provider.up({ id, machines: [spec('x1')], stateDir })).rejects.toThrow(
        /creating bridge kvb-/,
      );
      expect(await findQemuProcesses(id.runId)).toEqual([]);
      await expect(access(stateDir)).rejects.toThrow();
      expect((await runTool('ip', ['link', 'show', bridgeName(id.runId)])).exitCode).toBe(0);
    } finally {
      await runTool('ip', ['link', 'del', bridgeName(id.runId)]);
    }
  }, 60_000);

  it('fails preflight with a hint when QEMU is not on PATH', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(selectProvider('qemu', [spec('p1')])).rejects.toThrow(
        /qemu-system-x86_64 is not installed/,
      );
    } finally {
      process.env.PATH = saved;
    }
  });
});
