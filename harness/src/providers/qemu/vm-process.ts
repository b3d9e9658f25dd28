import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ToolMissingError } from '../../contracts/errors.ts';

export const QEMU_BINARY = 'qemu-system-x86_64';

// Starts QEMU in its own session (it must outlive a killed harness, to be reaped by run id), with
// the run and machine in its environment so `reap` can find it in /proc without any state file.
export function spawnQemu(args: string[], logFile: string, runId: string, machine: string): number {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(QEMU_BINARY, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, KVMATRIX_RUN: runId, KVMATRIX_MACHINE: machine },
    });
    child.on('error', () => {});
    child.unref();
    if (child.pid === undefined) throw new ToolMissingError(QEMU_BINARY, 'apt-get install qemu-system-x86');
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export interface QemuProcess {
  pid: number;
  runId: string;
  machine: string;
  startedAtMs: number;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Every QEMU on this host started by kvmatrix (found by KVMATRIX_RUN in its environment).
export async function findQemuProcesses(runId?: string): Promise<QemuProcess[]> {
  const out: QemuProcess[] = [];
  const bootMs = Date.now() - Number((await readFile('/proc/uptime', 'utf8')).split(' ')[0]) * 1000;
  const ticks = 100;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = (await readFile(`/proc/${entry}/comm`, 'utf8')).trim();
      if (!comm.startsWith('qemu-system')) continue;
      const env = (await readFile(`/proc/${entry}/environ`, 'utf8')).split('\0');
      const run = env.find((e) => e.startsWith('KVMATRIX_RUN='))?.slice(13);
      if (!run || (runId && run !== runId)) continue;
      const machine = env.find((e) => e.startsWith('KVMATRIX_MACHINE='))?.slice(17) ?? '';
      const stat = (await readFile(`/proc/${entry}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
      const startTicks = Number(stat[19] ?? 0);
      out.push({
        pid: Number(entry),
        runId: run,
        machine,
        startedAtMs: bootMs + (startTicks / ticks) * 1000,
      });
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

// SIGTERM, then SIGKILL after a grace period (a stuck TCG QEMU may ignore SIGTERM); resolves when
// every process is gone.
export async function stopProcesses(pids: number[], graceMs = 3000): Promise<void> {
  const living = pids.filter(isAlive);
  for (const pid of living) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && living.some(isAlive)) await sleep(50);
  for (const pid of living.filter(isAlive)) process.kill(pid, 'SIGKILL');
  while (living.some(isAlive)) await sleep(20);
}

export { isAlive as isProcessAlive };
