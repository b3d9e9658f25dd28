import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import path from 'node:path';
import { InfrastructureError } from '../contracts/errors.ts';
import { repoRoot } from '../host/paths.ts';

// The lab's mirror: the deploy cell's own mirror stops when its run ends, but the nodes keep
// pulling (KubeVirt's launcher for every VM, CDI's importer), from the ports the cell told them.
// So `lab up` starts a detached `kvmatrix artifacts serve` on those ports; `lab down` stops it.

export async function startLabMirror(opts: {
  filePort: number;
  registryPort: number;
  kubernetes: string;
  logFile: string;
}): Promise<number> {
  const out = openSync(opts.logFile, 'a');
  const child = spawn(
    process.execPath,
    [
      '--disable-warning=ExperimentalWarning',
      path.join(repoRoot, 'harness', 'bin', 'kvmatrix.ts'),
      'artifacts',
      'serve',
      '--host',
      '0.0.0.0',
      '--file-port',
      String(opts.filePort),
      '--registry-port',
      String(opts.registryPort),
      '-k',
      opts.kubernetes,
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new InfrastructureError('cannot start the lab mirror');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${opts.registryPort}/v2/`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return pid;
    if (!isAlive(pid)) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new InfrastructureError(`the lab mirror did not answer on port ${opts.registryPort}`, {
    hint: `see ${opts.logFile}`,
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function stopLabMirror(pid: number | undefined): Promise<void> {
  if (pid === undefined || !isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 50 && isAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}
