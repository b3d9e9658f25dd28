import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

// What `up` leaves in the run's state directory for `down` and `dumpLogs` (which also work
// without it: the namespace name follows from the run identity).
export interface KubevirtRunState {
  namespace: string;
  keyFile: string;
  sshPort: number;
  sentinel?: { namespace: string; name: string };
  machines: Array<{ machine: string; vm: string; address?: string }>;
}

const fileName = 'kubevirt-state.json';

export async function writeRunState(stateDir: string, state: KubevirtRunState): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  await writeFile(path.join(stateDir, fileName), `${JSON.stringify(state, null, 2)}\n`);
}

export async function readRunState(stateDir: string): Promise<KubevirtRunState | undefined> {
  try {
    return JSON.parse(await readFile(path.join(stateDir, fileName), 'utf8')) as KubevirtRunState;
  } catch {
    return undefined;
  }
}
