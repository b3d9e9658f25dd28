import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MachineSpec, RunIdentity } from '../../contracts/machine.ts';
import { LABEL_RUN, newRunId } from '../../host/labels.ts';
import { readRunIndex } from '../../host/run-index.ts';
import { runTool } from '../../host/run-tool.ts';
import { DEFAULT_OS, ensureGoldenImage, type GoldenImage } from '../local/golden-image.ts';
import {
  expectFullStateDirFails,
  expectPreflightFailsWithoutPath,
  expectReapAfterSigkill,
  expectUpCheckDown,
  expectUpFailsLeavingNothing,
  useScratchState,
} from '../test/machine-checks.ts';
import { chooseAccel } from './accel-probe.ts';
import { bridgeName, listRunLinks } from './qemu-network.ts';
import { QemuProvider } from './qemu-provider.ts';
import { ensureSnapshot, SETUP_SNAPSHOT_MACHINE } from './snapshot.ts';
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
const spec = (name: string): MachineSpec => ({ name, roles: [], os: DEFAULT_OS, ...SETUP_SNAPSHOT_MACHINE });
let image: GoldenImage;

async function expectNoResourcesLeft(runId: string): Promise<void> {
  expect(await findQemuProcesses(runId)).toEqual([]);
  expect(await listRunLinks(runId)).toEqual([]);
  const rules = await runTool('iptables', ['-S', 'FORWARD']);
  expect(rules.stdout).not.toContain(`${LABEL_RUN}=${runId}`);
}

describe.runIf(isRoot)('the qemu provider', () => {
  const scratch = useScratchState(provider, 'kvm-providers-qemu-');

  beforeAll(async () => {
    image = await ensureGoldenImage(DEFAULT_OS);
    const accel = await chooseAccel(image.kernel, image.initrd);
    const { cpus, memoryMiB } = SETUP_SNAPSHOT_MACHINE;
    if (withVms) await ensureSnapshot(image, accel, cpus, memoryMiB, () => {});
  }, 1_200_000);

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
      await expectUpCheckDown({
        provider,
        scratch,
        cell: 'test-qemu-three',
        machines: ['v1', 'v2', 'v3'].map(spec),
        isContainer: false,
        check: async (_result, id) => {
          expect((await findQemuProcesses(id.runId)).length).toBe(3);
        },
        expectNoResourcesLeft,
      });
    },
    400_000,
  );

  it.runIf(withVms)(
    'reaps what a harness killed with SIGKILL in the middle of up left behind',
    async () => {
      await expectReapAfterSigkill({
        provider,
        scratch,
        count: 2,
        waitMs: 120_000,
        findStartedRun: async (cell) => {
          const entry = (await readRunIndex('qemu')).find((e) => e.id.cell === cell);
          if (entry && (await findQemuProcesses(entry.id.runId)).length > 0) return entry.id.runId;
          return undefined;
        },
        removed: /qemu pid/,
        expectNoResourcesLeft,
      });
    },
    240_000,
  );

  it('fails with a clear message and leaves nothing when the state dir is full', async () => {
    await expectFullStateDirFails(provider, scratch, spec('f1'), expectNoResourcesLeft);
  }, 60_000);

  it('fails with a clear message and leaves nothing when the bridge cannot be created', async () => {
    const id: RunIdentity = { runId: scratch.track(newRunId()), cell: 'test-qemu-network' };
    // An interface of that name exists already (not ours): the run's bridge cannot be made.
    await runTool('ip', ['link', 'add', bridgeName(id.runId), 'type', 'bridge']);
    try {
      const stateDir = path.join(scratch.dir(), 'run-network');
      await expectUpFailsLeavingNothing(
        provider,
        { id, machines: [spec('x1')], stateDir },
        /creating bridge kvb-/,
        async (runId) => {
          expect(await findQemuProcesses(runId)).toEqual([]);
        },
      );
      expect((await runTool('ip', ['link', 'show', bridgeName(id.runId)])).exitCode).toBe(0);
    } finally {
      await runTool('ip', ['link', 'del', bridgeName(id.runId)]);
    }
  }, 60_000);

  it('fails preflight with a hint when QEMU is not on PATH', async () => {
    await expectPreflightFailsWithoutPath('qemu', spec('p1'), /qemu-system-x86_64 is not installed/);
  });
});
