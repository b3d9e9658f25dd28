import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KvError } from '../errors.ts';

// A lock directory holding the owner's pid, so that two builds of the same version (two
// terminals, or set-up and a test run) do not write the same files. A lock whose owner is dead
// is taken over.

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function acquireDirLock(
  lockDir: string,
  options: { waitMs?: number; onWait?: (pid: number) => void } = {},
): Promise<() => Promise<void>> {
  const deadline = Date.now() + (options.waitMs ?? 60 * 60_000);
  let warned = false;
  await mkdir(path.dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(path.join(lockDir, 'pid'), String(process.pid));
      return () => rm(lockDir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(await readFile(path.join(lockDir, 'pid'), 'utf8').catch(() => ''), 10);
    if (Number.isFinite(owner) && !isAlive(owner)) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new KvError('TIMEOUT', `${lockDir} is held by process ${owner}`, {
        hint: 'another kvmatrix build is running; wait for it or remove the lock directory if it is stale',
      });
    }
    if (!warned && Number.isFinite(owner)) options.onWait?.(owner);
    warned = true;
    await sleep(2000);
  }
}
