import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { repoRoot, toolEnv } from '../../system/paths.ts';
import { renderInventory } from '../common/inventory.ts';
import { runTool } from '../common/run-tool.ts';
import { sshRun } from '../common/ssh.ts';
import type { Machine } from '../provider.ts';

// Checks the providers' integration tests share: real SSH, real Ansible.

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
