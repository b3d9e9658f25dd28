import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

// A real OpenSSH sshd on 127.0.0.1, standing in for the sshd inside the VMs the stand-in
// controller cannot boot. The provider's SSH login and `cloud-init status --wait` run against it
// for real; `cloud-init` itself is a shim on the session's PATH that answers like cloud-init
// does once done. The authorized key is the file the provider writes into its state directory.
export interface LocalSshd {
  port: number;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export async function startLocalSshd(authorizedKeysFile: string): Promise<LocalSshd> {
  // sshd's compiled-in privilege separation directory; systemd's ssh.service creates it at start
  // (RuntimeDirectory=sshd). Created if missing, never removed: other sshds may use it.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(path.join(tmpdir(), 'kvm-kubevirt-sshd-'));
  const port = await freePort();
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_key')]);
  const shimDir = path.join(dir, 'bin');
  await mkdir(shimDir);
  await writeFile(
    path.join(shimDir, 'cloud-init'),
    '#!/bin/sh\n[ "$1 $2" = "status --wait" ] && { echo "status: done"; exit 0; }\necho "cloud-init shim: $*" >&2; exit 1\n',
  );
  await chmod(path.join(shimDir, 'cloud-init'), 0o755);
  const config = path.join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      `ListenAddress 127.0.0.1:${port}`,
      `HostKey ${path.join(dir, 'host_key')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeysFile}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      `SetEnv PATH=${shimDir}:/usr/local/bin:/usr/bin:/bin`,
      'LogLevel ERROR',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Stops sshd and removes its directory; also used when it fails to start.
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    await rm(dir, { recursive: true, force: true });
  };
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  // Ready when it accepts TCP connections (or dead with its reason).
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`sshd exited: ${stderr}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`sshd did not listen on ${port}: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { port, stop };
}
