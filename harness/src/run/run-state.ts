import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KvError } from '../contracts/errors.ts';
import type { RunIdentity } from '../contracts/machine.ts';
import { checkPathName } from '../host/path-name.ts';
import { stateDir } from '../host/paths.ts';
import type { Machine } from '../providers/provider.ts';

// What a run leaves on disk so that `kvmatrix ssh`, `kvmatrix down` and `--from-step` can find
// its machines again. Written before the provider creates anything, removed after `down`.
export interface RunState {
  id: RunIdentity;
  provider: string;
  cell: string;
  providerStateDir: string;
  createdAt: string;
  machines: Machine[];
  pending: string[];
  inventoryFile?: string;
  kubeconfigFile?: string;
  failedStep?: string;
  completedSteps: string[];
  // The mirror's ports are kept so a resumed run serves it where the nodes were told to look.
  artifactPorts?: { filePort: number; registryPort: number };
  artifactHost?: string;
  // The harness process of the run (the latest one, for a resumed run).
  pid?: number;
  // Left on purpose by `--keep`: a fresh run of the cell refuses to replace it.
  kept?: boolean;
}

// The cell name comes from the command line (`kvmatrix down <cell>`, `ssh <cell>`): it is checked
// as a name before it becomes a folder.
export function runDir(cell: string): string {
  return stateDir('runs', checkPathName(cell, 'cell name'));
}

export async function saveRunState(state: RunState): Promise<void> {
  const dir = runDir(state.cell);
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.state-${process.pid}.json`);
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, path.join(dir, 'state.json'));
}

export async function loadRunState(cell: string): Promise<RunState | undefined> {
  try {
    return JSON.parse(await readFile(path.join(runDir(cell), 'state.json'), 'utf8')) as RunState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KvError('IO', `${path.join(runDir(cell), 'state.json')}: unreadable run state`, {
      cause: error,
      hint: `remove ${runDir(cell)} and run \`kvmatrix reap\``,
    });
  }
}

export async function requireRunState(cell: string): Promise<RunState> {
  const state = await loadRunState(cell);
  if (!state) {
    throw new KvError('NOT_FOUND', `no kept machines for cell ${cell}`, {
      hint: `run \`kvmatrix run ${cell} --keep\` first`,
    });
  }
  return state;
}

export async function removeRunState(cell: string): Promise<void> {
  await rm(runDir(cell), { recursive: true, force: true });
}
