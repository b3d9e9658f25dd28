import { execa } from 'execa';
import type { Machine } from '../providers/provider.ts';

// Options that make a non-interactive SSH to a freshly made machine work every time.
export function sshArgs(machine: Machine): string[] {
  return [
    '-i',
    machine.sshKeyFile,
    '-p',
    String(machine.sshPort),
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'LogLevel=ERROR',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=10',
    `${machine.sshUser}@${machine.sshHost}`,
  ];
}

export interface SshResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

// Runs one shell command on a machine; never throws for a non-zero status.
export async function sshRun(machine: Machine, command: string, timeoutMs = 60_000): Promise<SshResult> {
  const r = await execa('ssh', [...sshArgs(machine), command], {
    reject: false,
    timeout: timeoutMs,
    stdin: 'ignore',
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}
