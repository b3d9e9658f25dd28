import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stateDir } from '../host/paths.ts';
import { isRunning, readCommandLine, stopProcess } from '../host/processes.ts';

// One JSON file per running control plane under stateDir('testbed'): what `kvmatrix testbed down`
// stops, and what the next start reaps when the process that owned an attached control plane
// died without cleaning up.

export interface TestbedState {
  id: string;
  dir: string;
  kubeconfig: string;
  server: string;
  // The process that owns an attached control plane; null for `kvmatrix testbed up`.
  ownerPid: number | null;
  processes: Array<{ name: string; pid: number }>;
  startedAt: string;
}

export function testbedStateDir(): string {
  return stateDir('testbed');
}

export async function writeTestbedState(state: TestbedState): Promise<void> {
  await mkdir(testbedStateDir(), { recursive: true });
  await writeFile(path.join(testbedStateDir(), `${state.id}.json`), `${JSON.stringify(state, null, 2)}\n`);
}

export async function listTestbedStates(): Promise<TestbedState[]> {
  const files = await readdir(testbedStateDir()).catch(() => [] as string[]);
  const states: TestbedState[] = [];
  for (const file of files.filter((f) => f.endsWith('.json'))) {
    try {
      states.push(JSON.parse(await readFile(path.join(testbedStateDir(), file), 'utf8')) as TestbedState);
    } catch {
      await rm(path.join(testbedStateDir(), file), { force: true });
    }
  }
  return states;
}

// Stops every process of a control plane (only pids whose command line still names its
// directory, so a reused pid is never hit), removes its directory and its state file.
export async function tearDownTestbed(state: TestbedState, graceMs = 10_000): Promise<void> {
  await Promise.all(
    state.processes.map(async ({ pid }) => {
      if (isRunning(pid) && (await readCommandLine(pid)).includes(state.dir)) await stopProcess(pid, graceMs);
    }),
  );
  await rm(state.dir, { recursive: true, force: true });
  await rm(path.join(testbedStateDir(), `${state.id}.json`), { force: true });
}

// Tears down attached control planes whose owner is gone. Returns how many it reaped.
export async function reapOrphanedTestbeds(): Promise<number> {
  let reaped = 0;
  for (const state of await listTestbedStates()) {
    if (state.ownerPid !== null && !isRunning(state.ownerPid)) {
      await tearDownTestbed(state, 2000);
      reaped++;
    }
  }
  return reaped;
}
