import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KvError } from '../../contracts/errors.ts';
import { FLAKE_HISTORY_VERSION, type FlakeHistory } from '../../contracts/flake-history.ts';
import { ensureDirectory } from '../../host/ensure-directory.ts';
import { createFlakeHistory } from '../flake-history.ts';

// Reads the flake history file; a file that does not exist yet is an empty history (the first
// pipeline, or a cache that expired).
export async function readFlakeHistory(file: string): Promise<FlakeHistory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return createFlakeHistory();
    throw new KvError('IO', `cannot read the flake history ${file}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new KvError('IO', `${file}: the flake history is not valid JSON (${(error as Error).message})`, {
      hint: 'delete the file (or the CI cache holding it) to start a new history',
    });
  }
  const history = data as FlakeHistory;
  if (
    history?.schemaVersion !== FLAKE_HISTORY_VERSION ||
    typeof history.cells !== 'object' ||
    history.cells === null
  ) {
    throw new KvError(
      'IO',
      `${file}: not a kvmatrix flake history (expected schemaVersion ${FLAKE_HISTORY_VERSION} and cells)`,
      {
        hint: 'delete the file (or the CI cache holding it) to start a new history',
      },
    );
  }
  return history;
}

// Writes the history atomically, so that a cancelled job never leaves half a file in the cache.
export async function writeFlakeHistory(file: string, history: FlakeHistory): Promise<void> {
  await ensureDirectory(path.dirname(path.resolve(file)));
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(history, null, 1)}\n`);
  await rename(temporary, file);
}
