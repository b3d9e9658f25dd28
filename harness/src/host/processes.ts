import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

// Starts and stops the control plane's processes. Each runs in its own process group (so a stop
// reaches anything it forked) with its output in a log file. "Attached" processes are also tied
// to this Node process with a parent-death signal (util-linux setpriv --pdeathsig): if the test
// runner is killed outright, the kernel kills them too; pid files let the next start reap the
// directory they leave behind.

export interface ManagedProcess {
  name: string;
  pid: number;
  logFile: string;
  // Resolves with the exit code (or signal name) once the process has ended; only for processes
  // started by this Node process.
  exited: Promise<string>;
}

const setpriv = '/usr/bin/setpriv';

export function startProcess(options: {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  attached: boolean;
}): ManagedProcess {
  const fd = openSync(options.logFile, 'a');
  const usePdeathsig = options.attached && existsSync(setpriv);
  const file = usePdeathsig ? setpriv : options.command;
  const args = usePdeathsig ? ['--pdeathsig', 'KILL', '--', options.command, ...options.args] : options.args;
  const child = spawn(file, args, { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? String(code)));
    child.once('error', (error) => resolve(`error: ${error.message}`));
  });
  if (!options.attached) child.unref();
  if (child.pid === undefined) {
    throw new Error(`could not start ${options.command}`);
  }
  return { name: options.name, pid: child.pid, logFile: options.logFile, exited };
}

// True while the process exists and is not a zombie waiting to be reaped.
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

// The command line of a process, to make sure a pid from a state file is still ours.
export async function readCommandLine(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

// SIGTERM to the process group, then SIGKILL after the grace period. Never throws.
export async function stopProcess(pid: number, graceMs = 10_000): Promise<void> {
  if (!isRunning(pid)) return;
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return;
    await sleep(100);
  }
  signalGroup(pid, 'SIGKILL');
  const hardDeadline = Date.now() + 5000;
  while (isRunning(pid) && Date.now() < hardDeadline) await sleep(100);
}

export async function tailLog(file: string, lines = 15): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
