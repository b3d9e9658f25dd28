import { execa } from 'execa';
import { InfrastructureError } from '../../contracts/errors.ts';
import { SSH_OPTIONS, type SshTarget } from '../../host/ssh.ts';

// The options every kvmatrix SSH call uses (no prompts, no known_hosts: each VM has new host keys),
// and for a VM on the cluster's pod network also: only the run's key, and a short connect timeout
// (logins are retried). ssh keeps the first value given for an option, so these come first.
export function sshArgs(target: SshTarget): string[] {
  return [
    '-i',
    target.keyFile,
    '-p',
    String(target.port),
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'ConnectTimeout=5',
    ...SSH_OPTIONS,
    `${target.user}@${target.host}`,
  ];
}

// Runs one command on the machine over a real SSH login.
export async function runSsh(target: SshTarget, command: string, timeoutMs: number, signal?: AbortSignal) {
  return execa('ssh', [...sshArgs(target), command], {
    reject: false,
    timeout: timeoutMs,
    ...(signal ? { cancelSignal: signal } : {}),
    stdin: 'ignore',
  });
}

// Retries a login until it succeeds or the deadline passes (sshd starts late in boot; this is the
// one wait that cannot be a watch). Resolves when `true` ran on the machine.
export async function waitForSshLogin(
  target: SshTarget,
  deadline: number,
  signal?: AbortSignal,
): Promise<void> {
  let last = '';
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    const result = await runSsh(target, 'true', 15_000, signal);
    if (result.exitCode === 0) return;
    last = String(result.stderr || result.shortMessage).trim();
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new InfrastructureError(
    `no SSH login to ${target.user}@${target.host}:${target.port} before the deadline: ${last}`,
    {
      hint: 'check the VM serial console in the job artifacts (cloud-init, sshd)',
    },
  );
}

// `cloud-init status --wait`: 0 done, 2 done with recoverable errors (cloud-init >= 23.4), 1 failed.
export async function waitForCloudInit(
  target: SshTarget,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string> {
  const result = await runSsh(target, 'cloud-init status --wait', timeoutMs, signal);
  const output = `${result.stdout}\n${result.stderr}`.trim();
  if (result.exitCode === 0 || result.exitCode === 2) return output;
  throw new InfrastructureError(
    `cloud-init did not finish on ${target.host}: ${output || result.shortMessage}`,
    {
      hint: 'see cloud-init.log and cloud-init-output.log in the job artifacts',
    },
  );
}
