import { execa } from 'execa';
import { SSH_OPTIONS } from '../host/ssh.ts';
import type { Machine } from '../providers/provider.ts';

// The ssh arguments that reach a machine a provider made (options shared with the providers).
export function sshArgs(machine: Machine): string[] {
  return [
    ...SSH_OPTIONS,
    '-i',
    machine.sshKeyFile,
    '-p',
    String(machine.sshPort),
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
