import { writeFile } from 'node:fs/promises';
import { sshRun } from '../host/ssh.ts';
import { type Machine, sshTargetOf } from '../providers/provider.ts';

// Fetches the admin kubeconfig from the first control-plane node and points it at that node's
// address, which the harness can reach on the provider's private network.
export async function fetchKubeconfig(machine: Machine, file: string): Promise<boolean> {
  const r = await sshRun(sshTargetOf(machine), 'cat /etc/kubernetes/admin.conf', {
    timeoutMs: 30_000,
  });
  if (r.exitCode !== 0) return false;
  const text = r.stdout.replace(/server: https:\/\/[^\s]+/, `server: https://${machine.address}:6443`);
  await writeFile(file, text, { mode: 0o600 });
  return true;
}
