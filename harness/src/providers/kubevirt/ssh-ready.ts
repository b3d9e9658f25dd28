import { InfrastructureError } from '../../contracts/errors.ts';
import { type SshTarget, sshArgs, sshRun } from '../../host/ssh.ts';

// For a VM on the cluster's pod network, besides the shared options: only the run's key, and a
// short connect timeout (logins are retried). They come first: ssh keeps the first value given.
const POD_NETWORK_OPTIONS = ['-o', 'IdentitiesOnly=yes', '-o', 'ConnectTimeout=5'];

export function podNetworkSshArgs(target: SshTarget): string[] {
  return sshArgs(target, [], POD_NETWORK_OPTIONS);
}

// Runs one command on the machine over a real SSH login.
export async function runSsh(target: SshTarget, command: string, timeoutMs: number, signal?: AbortSignal) {
  return sshRun(target, command, {
    timeoutMs,
    sshOptions: POD_NETWORK_OPTIONS,
    ...(signal ? { signal } : {}),
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
    last = (result.stderr || `ssh exited ${result.exitCode}`).trim();
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
    `cloud-init did not finish on ${target.host}: ${output || `ssh exited ${result.exitCode}`}`,
    {
      hint: 'see cloud-init.log and cloud-init-output.log in the job artifacts',
    },
  );
}
