import { mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ErrorCode, KvError } from '../contracts/errors.ts';

export interface FileLockOptions {
  // How long to wait for a live holder before giving up (default 15 minutes).
  timeoutMs?: number;
  // Called once, with the holder's pid, when the lock is held by a live process.
  onWait?: (pid: number) => void;
  // The code and hint of the error thrown when the wait gives up (default INFRASTRUCTURE).
  timeoutCode?: ErrorCode;
  timeoutHint?: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Serialises work across processes on this host (image and artifact builds, the host sysctl
// baseline): a file created exclusively, holding the holder's pid. A lock whose holder died is
// taken over, so a SIGKILLed harness never blocks the next run. Returns the release function.
export async function acquireFileLock(
  lockFile: string,
  options: FileLockOptions = {},
): Promise<() => Promise<void>> {
  await mkdir(path.dirname(lockFile), { recursive: true });
  const deadline = Date.now() + (options.timeoutMs ?? 900_000);
  let waited = false;
  for (;;) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    // 0 while the holder is between creating the file and writing its pid: wait for it.
    const holder = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
    if (holder > 0 && !isAlive(holder)) {
      await rm(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new KvError(options.timeoutCode ?? 'INFRASTRUCTURE', `${lockFile} is held by process ${holder}`, {
        hint: options.timeoutHint ?? 'another kvmatrix process holds it; wait for it to finish',
      });
    }
    if (!waited && holder > 0) {
      options.onWait?.(holder);
      waited = true;
    }
    await sleep(200);
  }
}

// Runs `fn` holding the lock, and releases it however `fn` ends.
export async function withFileLock<T>(
  lockFile: string,
  fn: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const release = await acquireFileLock(lockFile, options);
  try {
    return await fn();
  } finally {
    await release();
  }
}
