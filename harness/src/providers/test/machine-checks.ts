import { spawn } from 'node:child_process';
import { access, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect } from 'vitest';
import type { MachineSpec, RunIdentity } from '../../contracts/machine.ts';
import { newRunId } from '../../host/labels.ts';
import { repoRoot, toolEnv } from '../../host/paths.ts';
import { readRunIndex } from '../../host/run-index.ts';
import { runTool } from '../../host/run-tool.ts';
import { sshRun } from '../../host/ssh.ts';
import { renderInventory } from '../local/inventory.ts';
import type { Machine, Provider, UpRequest, UpResult } from '../provider.ts';
import { selectProvider } from '../select-provider.ts';

// The flows and checks both local providers' integration tests share: real machines, real SSH,
// real Ansible. Each test passes what only its provider can check (its own leftovers, its facts).

export interface ScratchState {
  dir: () => string;
  // Marks a run as this suite's, so the suite reaps it at the end.
  track: (runId: string) => string;
}

// Points KVMATRIX_STATE_DIR at a scratch dir for the suite; at the end reaps only the runs the
// suite tracked (other runs on this host are not ours) and removes the scratch dir.
export function useScratchState(provider: Provider, prefix: string): ScratchState {
  let dir = '';
  const ours: string[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), prefix));
    process.env.KVMATRIX_STATE_DIR = path.join(dir, 'state');
  });
  afterAll(async () => {
    for (const runId of ours) await provider.reap({ runId });
    delete process.env.KVMATRIX_STATE_DIR;
    await rm(dir, { recursive: true, force: true });
  });
  return {
    dir: () => dir,
    track: (runId) => {
      ours.push(runId);
      return runId;
    },
  };
}

export interface LifecycleCase {
  provider: Provider;
  scratch: ScratchState;
  cell: string;
  machines: MachineSpec[];
  isContainer: boolean;
  // The provider's own checks of the running machines (before the shared SSH and Ansible checks).
  check: (result: UpResult, id: RunIdentity) => Promise<void>;
  // The provider's own leftovers check (containers, VMs, networks); the state dir and the run
  // index are checked here.
  expectNoResourcesLeft: (runId: string) => Promise<void>;
}

// up, the machines checked (names, facts, the provider's checks, reachability, Ansible), down,
// nothing left, and down once more (down is idempotent).
export async function expectUpCheckDown(c: LifecycleCase): Promise<void> {
  const id: RunIdentity = { runId: c.scratch.track(newRunId()), cell: c.cell };
  const stateDir = path.join(c.scratch.dir(), 'run-three');
  const result = await c.provider.up({ id, machines: c.machines, stateDir });
  try {
    expect(result.machines.map((m) => m.name)).toEqual(c.machines.map((m) => m.name));
    expect(result.machines[0]?.facts.kvmatrix_node_is_container).toBe(c.isContainer);
    await c.check(result, id);
    await expectAllReachEachOther(result.machines);
    await expectAnsibleWorks(result.machines);
  } finally {
    await c.provider.down(id, stateDir);
  }
  await c.expectNoResourcesLeft(id.runId);
  await expectRunForgotten(id.runId, stateDir);
  await c.provider.down(id, stateDir);
}

export interface SigkillCase {
  provider: Provider;
  scratch: ScratchState;
  count: number;
  waitMs: number;
  // The run id of the vms set's cell once its up has made something the reap must remove.
  findStartedRun: (cell: string) => Promise<string | undefined>;
  removed: RegExp;
  expectNoResourcesLeft: (runId: string) => Promise<void>;
}

// A `kvmatrix vms up` SIGKILLed in the middle of up; reap of its run removes what it left.
export async function expectReapAfterSigkill(c: SigkillCase): Promise<void> {
  const name = `${c.provider.name.slice(0, 1)}${Date.now().toString(36).slice(-6)}`;
  const child = spawn(
    path.join(repoRoot, 'node_modules/.bin/node'),
    [
      path.join(repoRoot, 'harness/bin/kvmatrix.ts'),
      'vms',
      'up',
      '--provider',
      c.provider.name,
      '--count',
      String(c.count),
      '--name',
      name,
    ],
    { env: { ...process.env }, stdio: 'ignore' },
  );
  const deadline = Date.now() + c.waitMs;
  let runId = '';
  while (Date.now() < deadline && !runId) {
    runId = (await c.findStartedRun(`vms-${name}`)) ?? '';
    if (!runId) await sleep(50);
  }
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  expect(runId).not.toBe('');
  c.scratch.track(runId);
  const report = await c.provider.reap({ runId });
  expect(report.removed.join('\n')).toMatch(c.removed);
  await c.expectNoResourcesLeft(runId);
  await expectRunForgotten(runId, path.join(process.env.KVMATRIX_STATE_DIR ?? '', 'vms', name));
}

// What no local run keeps after down or reap: its state dir and its entry in the host's run index.
async function expectRunForgotten(runId: string, stateDir: string): Promise<void> {
  await expect(access(stateDir)).rejects.toThrow();
  expect((await readRunIndex()).map((e) => e.id.runId)).not.toContain(runId);
}

// up fails with `error` and leaves neither the provider's resources nor the run's state dir and
// run index entry.
export async function expectUpFailsLeavingNothing(
  provider: Provider,
  request: UpRequest,
  error: RegExp,
  expectNoResourcesLeft: (runId: string) => Promise<void>,
): Promise<void> {
  await expect(provider.up(request)).rejects.toThrow(error);
  await expectNoResourcesLeft(request.id.runId);
  await expectRunForgotten(request.id.runId, request.stateDir);
}

// up into a full state dir (a 4 KiB tmpfs) fails with a message about space and leaves nothing.
export async function expectFullStateDirFails(
  provider: Provider,
  scratch: ScratchState,
  machine: MachineSpec,
  expectNoResourcesLeft: (runId: string) => Promise<void>,
): Promise<void> {
  const full = path.join(scratch.dir(), 'full');
  await runTool('mkdir', ['-p', full]);
  expect(
    (await runTool('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'kvm-providers-full', full])).exitCode,
  ).toBe(0);
  try {
    await runTool('dd', ['if=/dev/zero', `of=${full}/fill`, 'bs=4k', 'count=16']);
    const id: RunIdentity = { runId: scratch.track(newRunId()), cell: `test-${provider.name}-full` };
    const request = { id, machines: [machine], stateDir: path.join(full, 'run') };
    await expectUpFailsLeavingNothing(provider, request, /space|ENOSPC/i, expectNoResourcesLeft);
    expect(await readdir(full)).toEqual(['fill']);
  } finally {
    await runTool('umount', [full]);
  }
}

// Without the provider's tools on PATH its preflight fails with `error` (which names the tool).
export async function expectPreflightFailsWithoutPath(
  provider: string,
  machine: MachineSpec,
  error: RegExp,
): Promise<void> {
  const saved = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    await expect(selectProvider(provider, [machine])).rejects.toThrow(error);
  } finally {
    process.env.PATH = saved;
  }
}

export async function expectAllReachEachOther(machines: Machine[]): Promise<void> {
  await Promise.all(
    machines.map(async (m) => {
      const targets = machines.map((o) => o.address).join(' ');
      const result = await sshRun(
        { host: m.sshHost, port: m.sshPort, user: m.sshUser, keyFile: m.sshKeyFile },
        `for a in ${targets}; do ping -c 1 -W 2 $a >/dev/null || { echo "unreachable $a"; exit 1; }; done; hostname`,
      );
      expect(result.stdout + result.stderr).toContain(m.name);
      expect(result.exitCode).toBe(0);
    }),
  );
}

export async function expectAnsibleWorks(machines: Machine[]): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kvm-providers-ansible-'));
  try {
    const inventory = path.join(dir, 'inventory.yml');
    await writeFile(inventory, renderInventory(machines));
    // Pipelining: one SSH round trip per task instead of three or four (they cost seconds each on
    // a TCG guest).
    const env = toolEnv({
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_LOCAL_TEMP: dir,
      ANSIBLE_HOME: dir,
      ANSIBLE_PIPELINING: '1',
    });
    const ping = await runTool('ansible', ['-i', inventory, 'all', '-m', 'ansible.builtin.ping'], { env });
    expect(ping.stdout, ping.stderr).toMatch(/SUCCESS/);
    expect(ping.exitCode, ping.stdout + ping.stderr).toBe(0);
    const playbook = path.join(repoRoot, 'harness/src/providers/test/fixtures/small-playbook.yml');
    const play = await runTool('ansible-playbook', ['-i', inventory, playbook], { env, timeoutMs: 180_000 });
    expect(play.exitCode, play.stdout + play.stderr).toBe(0);
    for (const m of machines)
      expect(play.stdout).toMatch(
        new RegExp(`${m.name}\\s*: ok=\\d+\\s+changed=1\\s+unreachable=0\\s+failed=0`),
      );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
