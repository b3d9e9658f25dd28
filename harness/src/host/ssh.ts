import { mkdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfrastructureError } from '../contracts/errors.ts';
import { runTool, runToolOk, type ToolResult } from './run-tool.ts';

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

// The arguments of one `ssh` call: `options` first (ssh keeps the first value given for an
// option, so a caller's own ConnectTimeout wins over the shared one), then the shared options,
// the key, the port and the login, then the remote command, if any.
export function sshArgs(target: SshTarget, command: string[] = [], options: string[] = []): string[] {
  return [
    ...options,
    ...SSH_OPTIONS,
    '-i',
    target.keyFile,
    '-p',
    String(target.port),
    `${target.user}@${target.host}`,
    ...command,
  ];
}

// The shared options as Ansible's `ansible_ssh_common_args` (every inventory kvmatrix writes).
export function ansibleSshCommonArgs(): string {
  const pairs: string[] = [];
  for (let i = 0; i < SSH_OPTIONS.length; i += 2) pairs.push(`-o ${SSH_OPTIONS[i + 1]}`);
  return pairs.join(' ');
}

// Runs one shell command on a machine over SSH; returns its result whatever the exit status.
// Without `input`, stdin is closed, so a remote command that reads it sees end of file.
export async function sshRun(
  target: SshTarget,
  command: string,
  options: { input?: string; timeoutMs?: number; signal?: AbortSignal; sshOptions?: string[] } = {},
): Promise<ToolResult> {
  return runTool('ssh', sshArgs(target, [command], options.sshOptions), {
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    timeoutMs: options.timeoutMs ?? 60_000,
    ...(options.signal ? { signal: options.signal } : {}),
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
