import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireFileLock, withFileLock } from './file-lock.ts';

describe('the host file lock', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kvm-file-lock-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('holds the holder pid and lets one holder in at a time', async () => {
    const lock = path.join(dir, 'a', 'one.lock');
    const order: string[] = [];
    const first = withFileLock(lock, async () => {
      expect(await readFile(lock, 'utf8')).toBe(String(process.pid));
      order.push('first in');
      await sleep(300);
      order.push('first out');
    });
    await sleep(50);
    await withFileLock(lock, async () => {
      order.push('second in');
    });
    await first;
    expect(order).toEqual(['first in', 'first out', 'second in']);
    await expect(readFile(lock)).rejects.toThrow();
  });

  it('takes over a lock whose holder died', async () => {
    const lock = path.join(dir, 'dead.lock');
    // The pid of a process that has exited.
    const dead = spawnSync('true').pid;
    await writeFile(lock, String(dead));
    const release = await acquireFileLock(lock, { timeoutMs: 1000 });
    expect(await readFile(lock, 'utf8')).toBe(String(process.pid));
    await release();
  });

  it('gives up on a live holder with the error code and hint given, after saying once that it waits', async () => {
    const lock = path.join(dir, 'live.lock');
    // PID 1 is alive for as long as the host is.
    await writeFile(lock, '1');
    const waits: number[] = [];
    await expect(
      acquireFileLock(lock, {
        timeoutMs: 500,
        onWait: (pid) => waits.push(pid),
        timeoutCode: 'TIMEOUT',
        timeoutHint: 'wait',
      }),
    ).rejects.toMatchObject({ code: 'TIMEOUT', hint: 'wait', message: `${lock} is held by process 1` });
    expect(waits).toEqual([1]);
    expect(await readFile(lock, 'utf8')).toBe('1');
  });
});
