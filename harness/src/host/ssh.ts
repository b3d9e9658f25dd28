import { mkdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfrastructureError } from '../contracts/errors.ts';
import { runTool, runToolOk } from './run-tool.ts';

// Options every kvmatrix SSH connection uses: machines are fresh and throwaway, their host keys
// are new each run, so known_hosts is neither read nor written.
export const SSH_OPTIONS = [
  '-o',
  'BatchMode=yes',
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'LogLevel=ERROR',
  '-o',
  'ConnectTimeout=20',
];

export interface SshTarget {
  host: string;
  port: number;
  user: string;
  keyFile: string;
}

// Makes the run's SSH key pair (ed25519, no passphrase) in the run's state dir; idempotent.
export async function ensureRunKey(stateDir: string): Promise<{ keyFile: string; publicKey: string }> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const keyFile = path.join(stateDir, 'id_ed25519');
  const existing = await readFile(`${keyFile}.pub`, 'utf8').catch(() => undefined);
  if (existing) return { keyFile, publicKey: existing.trim() };
  await runToolOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'kvmatrix', '-f', keyFile], {
    installHint: 'apt-get install openssh-client',
    hint: `check that ${stateDir} is writable and has free space`,
  });
  return { keyFile, publicKey: (await readFile(`${keyFile}.pub`, 'utf8')).trim() };
}

export function sshArgs(target: SshTarget, command: string[]): string[] {
  return [
    ...SSH_OPTIONS,
    '-i',
    target.keyFile,
    '-p',
    String(target.port),
    `${target.user}@${target.host}`,
    ...command,
  ];
}

// Runs a command on a machine over SSH; returns its result whatever the exit status.
export async function sshRun(
  target: SshTarget,
  command: string,
  options: { input?: string; timeoutMs?: number } = {},
) {
  return runTool('ssh', sshArgs(target, [command]), {
    input: options.input,
    timeoutMs: options.timeoutMs ?? 60_000,
  });
}

// Resolves once the port answers with an SSH banner (cheap to poll, no process spawned).
async function probeBanner(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    // QEMU's user-mode forward accepts first and closes when the guest refuses: no banner.
    socket.once('close', () => done(false));
    socket.once('data', (data) => done(data.toString('latin1').startsWith('SSH-')));
  });
}

// Waits until a real SSH login with the run's key succeeds (not merely an open port).
// Throws an InfrastructureError after `timeoutMs`. The banner and login get generous time of
// their own: under TCG on a loaded host sshd's fork and re-exec alone can take seconds, and a
// probe that gives up after 1 s never sees the banner.
export async function waitForSsh(
  target: SshTarget,
  options: { timeoutMs: number; signal?: AbortSignal; what?: string },
): Promise<number> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let lastError = 'no answer on the SSH port';
  while (Date.now() < deadline) {
    options.signal?.throwIfAborted();
    if (await probeBanner(target.host, target.port, 10_000)) {
      const result = await runTool('ssh', sshArgs(target, ['true']), { timeoutMs: 60_000 });
      if (result.exitCode === 0) return Date.now() - started;
      lastError = result.stderr.trim() || `ssh exited ${result.exitCode}`;
    }
    await sleep(100);
  }
  throw new InfrastructureError(
    `${options.what ?? `${target.host}:${target.port}`}: no SSH login within ${Math.round(options.timeoutMs / 1000)} s (${lastError})`,
    { hint: 'look at the machine logs (kvmatrix vms logs / the dumpLogs output)' },
  );
}
