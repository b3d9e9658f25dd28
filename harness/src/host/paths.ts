import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPathName } from './path-name.ts';

// The repository root (two levels above harness/src/system).
export const repoRoot: string = fileURLToPath(new URL('../../..', import.meta.url));

// Where kvmatrix keeps caches that outlive a run (built artifacts, golden images). Every part is
// one checked folder name (path-name.ts), so no part can climb out of the cache.
export function cacheDir(...parts: string[]): string {
  for (const part of parts) checkPathName(part);
  const base =
    process.env.KVMATRIX_CACHE_DIR ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'kvmatrix');
  return path.join(base, ...parts);
}

// Where kvmatrix keeps the state of live runs (for `kvmatrix ssh`, `down`, `reap`). Every part
// is one checked folder name, as for cacheDir.
export function stateDir(...parts: string[]): string {
  for (const part of parts) checkPathName(part);
  const base =
    process.env.KVMATRIX_STATE_DIR ??
    path.join(process.env.XDG_STATE_HOME ?? path.join(homedir(), '.local', 'state'), 'kvmatrix');
  return path.join(base, ...parts);
}

// The environment for running the project's Python tools (ansible, linters) from .venv.
export function toolEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const venvBin = path.join(repoRoot, '.venv', 'bin');
  return { ...process.env, PATH: `${venvBin}${path.delimiter}${process.env.PATH ?? ''}`, ...extra };
}
