import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunIdentity } from '../contracts/machine.ts';
import { checkPathName } from './path-name.ts';
import { stateDir } from './paths.ts';

// A host-wide index of live local runs: which provider, which state dir, since when. `up` writes
// an entry before it creates anything, `down` removes it last, so `reap` can find the files of a
// run whose harness was killed (the state dir is chosen by the caller and not derivable).
export interface RunIndexEntry {
  id: RunIdentity;
  provider: string;
  stateDir: string;
  createdAt: string;
  pid: number;
  // Set when the harness left the machines on purpose (`kvmatrix run --keep`): reap leaves them.
  kept?: boolean;
}

function indexDir(): string {
  return stateDir('local-runs');
}

export async function writeRunIndex(entry: RunIndexEntry): Promise<void> {
  await mkdir(indexDir(), { recursive: true });
  await writeFile(
    path.join(indexDir(), `${checkPathName(entry.id.runId, 'run id')}.json`),
    `${JSON.stringify(entry, null, 2)}\n`,
  );
}

// Marks a run as kept on purpose; a run without an entry (kubevirt keeps none) is left as it is.
export async function markRunKept(runId: string): Promise<void> {
  const file = path.join(indexDir(), `${checkPathName(runId, 'run id')}.json`);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return;
  await writeFile(
    file,
    `${JSON.stringify({ ...(JSON.parse(text) as RunIndexEntry), kept: true }, null, 2)}\n`,
  );
}

export async function removeRunIndex(runId: string): Promise<void> {
  await rm(path.join(indexDir(), `${checkPathName(runId, 'run id')}.json`), { force: true });
}

export async function readRunIndex(provider?: string): Promise<RunIndexEntry[]> {
  const out: RunIndexEntry[] = [];
  for (const name of await readdir(indexDir()).catch(() => [] as string[])) {
    if (!name.endsWith('.json')) continue;
    try {
      const entry = JSON.parse(await readFile(path.join(indexDir(), name), 'utf8')) as RunIndexEntry;
      if (!provider || entry.provider === provider) out.push(entry);
    } catch {
      // A half-written entry (harness killed while writing): reap will remove it by name.
    }
  }
  return out;
}
