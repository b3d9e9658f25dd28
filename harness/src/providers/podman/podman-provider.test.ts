import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MachineSpec, RunIdentity } from '../../contracts/machine.ts';
import { LABEL_CELL, LABEL_RUN, newRunId } from '../../host/labels.ts';
import { readRunIndex } from '../../host/run-index.ts';
import { runTool } from '../../host/run-tool.ts';
import { ensureGoldenImage } from '../local/golden-image.ts';
import { selectProvider } from '../select-provider.ts';
import {
  expectFullStateDirFails,
  expectPreflightFailsWithoutPath,
  expectReapAfterSigkill,
  expectUpCheckDown,
  expectUpFailsLeavingNothing,
  useScratchState,
} from '../test/machine-checks.ts';
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

async function podmanNames(kind: string, runId: string): Promise<string[]> {
  const args = kind === 'container' ? ['ps', '-a'] : [kind, 'ls'];
  const format = kind === 'container' ? '{{.Names}}' : '{{.Name}}';
  const out = await runTool('podman', [
    ...args,
    '--filter',
    `label=${LABEL_RUN}=${runId}`,
    '--format',
    format,
  ]);
  return out.stdout.split('\n').filter(Boolean);
}

async function expectNoPodmanObjects(runId: string): Promise<void> {
  expect(await podmanNames('container', runId)).toEqual([]);
  expect(await podmanNames('volume', runId)).toEqual([]);
  expect(await podmanNames('network', runId)).toEqual([]);
}

async function expectNoResourcesLeft(runId: string, bridge?: string): Promise<void> {
  await expectNoPodmanObjects(runId);
  const networks = await runTool('podman', ['network', 'ls', '--format', '{{.Name}}']);
  expect(networks.stdout).not.toContain(networkName(runId));
  if (bridge) expect((await runTool('ip', ['link', 'show', bridge])).exitCode).not.toBe(0);
  expect((await runTool('iptables', ['-S', 'FORWARD'])).stdout).not.toContain(`${LABEL_RUN}=${runId}`);
}

async function containerIdentity(runId: string, machine: string): Promise<string> {
  const out = await runTool('podman', [
    'exec',
    `kvm-${runId}-${machine}`,
    'cat',
    '/etc/machine-id',
    '/etc/ssh/ssh_host_ed25519_key.pub',
  ]);
  return out.stdout;
}

describe.runIf(isRoot)('the podman provider', () => {
  const scratch = useScratchState(provider, 'kvm-providers-podman-');

  beforeAll(async () => {
    await ensureGoldenImage('debian12');
    await ensurePodmanImage('debian12', () => {});
  }, 1_200_000);

  it('is chosen by auto when its preflight passes', async () => {
    const choice = await selectProvider('auto', [spec('a')]);
    expect(choice.provider.name).toBe('podman');
    expect(choice.message).toMatch(/podman/);
  });

  it('brings up three nodes that reach each other and run Ansible, and down leaves nothing', async () => {
    let bridge: string | undefined;
    await expectUpCheckDown({
      provider,
      scratch,
      cell: 'test-podman-three',
      machines: ['n1', 'n2', 'n3'].map(spec),
      isContainer: true,
      check: async (result, id) => {
        expect(result.artifactHost).toMatch(/^10\.2\d\d\.\d+\.1$/);
        const inspect = await runTool('podman', [
          'network',
          'inspect',
          '--format',
          '{{.NetworkInterface}}',
          networkName(id.runId),
        ]);
        bridge = inspect.stdout.trim() || undefined;
        expect(await containerIdentity(id.runId, 'n1')).not.toBe(await containerIdentity(id.runId, 'n2'));
        // Offline: nothing beyond the run's bridge answers (the lab network here answers any
        // address on port 80 without the run's firewall rule; curl exits 7 when refused).
        const out = await runTool('podman', [
          'exec',
          `kvm-${id.runId}-n1`,
          'curl',
          '-s',
          '-m',
          '5',
          '-o',
          '/dev/null',
          'http://10.96.55.55/',
        ]);
        expect(out.exitCode).toBe(7);
      },
      expectNoResourcesLeft: (runId) => expectNoResourcesLeft(runId, bridge),
    });
  }, 300_000);

  it('reaps what a harness killed with SIGKILL in the middle of up left behind', async () => {
    await expectReapAfterSigkill({
      provider,
      scratch,
      count: 3,
      waitMs: 60_000,
      findStartedRun: async (cell) => {
        const out = await runTool('podman', [
          'ps',
          '-a',
          '--filter',
          `label=${LABEL_CELL}=${cell}`,
          '--format',
          '{{.Names}}',
        ]);
        if (!out.stdout.trim()) return undefined;
        return (await readRunIndex('podman')).find((e) => e.id.cell === cell)?.id.runId;
      },
      removed: /container kvm-/,
      expectNoResourcesLeft: (runId) => expectNoResourcesLeft(runId),
    });
  }, 180_000);

  it('fails with a clear message and leaves nothing when the state dir is full', async () => {
    await expectFullStateDirFails(provider, scratch, spec('f1'), (runId) => expectNoResourcesLeft(runId));
  }, 60_000);

  it('fails with a clear message and leaves nothing when the network cannot be created', async () => {
    const id: RunIdentity = { runId: scratch.track(newRunId()), cell: 'test-podman-network' };
    // A network of that name exists already (and is not ours): podman refuses to make the run's.
    await runTool('podman', ['network', 'create', '--subnet', '10.199.254.0/24', networkName(id.runId)]);
    try {
      const stateDir = path.join(scratch.dir(), 'run-network');
      await expectUpFailsLeavingNothing(
        provider,
        { id, machines: [spec('x1')], stateDir },
        /could not create the podman network/,
        // The network of the run's name is there (it is not ours): the rest must not be.
        expectNoPodmanObjects,
      );
    } finally {
      await runTool('podman', ['network', 'rm', '-f', networkName(id.runId)]);
    }
  }, 60_000);

  it('fails preflight with a hint when podman is not on PATH', async () => {
    await expectPreflightFailsWithoutPath('podman', spec('p1'), /podman is not installed or not on PATH/);
  });
});
