import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { isRunning, startProcess, stopProcess } from './processes.ts';

const processesModule = new URL('./processes.ts', import.meta.url).pathname;
let dir: string;

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(50);
  }
  return check();
}

describe('startProcess', () => {
  it('kills an attached process when the Node process that started it is killed outright', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kvm-testbed-proc-'));
    const script = `
      import { startProcess } from ${JSON.stringify(processesModule)};
      const p = startProcess({ name: 'sleeper', command: 'sleep', args: ['300'], logFile: ${JSON.stringify(
        path.join(dir, 'sleep.log'),
      )}, attached: true });
      process.stdout.write(String(p.pid) + '\\n');
      setInterval(() => {}, 1000);
    `;
    const owner = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = await new Promise<number>((resolve) => {
      owner.stdout.once('data', (chunk: Buffer) => resolve(Number.parseInt(chunk.toString(), 10)));
    });
    expect(await waitUntil(() => isRunning(pid))).toBe(true);
    owner.kill('SIGKILL');
    expect(await waitUntil(() => !isRunning(pid))).toBe(true);
  });

  it('stops a process group with SIGTERM and falls back to SIGKILL after the grace period', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kvm-testbed-proc-'));
    const stubborn = startProcess({
      name: 'stubborn',
      command: 'bash',
      args: ['-c', "trap '' TERM; sleep 300 & wait"],
      logFile: path.join(dir, 'stubborn.log'),
      attached: true,
    });
    await sleep(200);
    const started = Date.now();
    await stopProcess(stubborn.pid, 500);
    expect(isRunning(stubborn.pid)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(await stubborn.exited).toBe('SIGKILL');
  });
});
