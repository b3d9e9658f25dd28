import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { ResultRecord } from '../../contracts/result-record.ts';
import { repoRoot } from '../../host/paths.ts';

export interface CliOptions {
  // Added to this process's environment (and CI=true, for plain progress lines).
  env?: Record<string, string>;
  cwd?: string;
}

// The real CLI as a child process, as CI and people run it. Never rejects: the caller checks
// `exitCode` and has every line in `all`. The returned child's `pid` is the run's owner, the label
// its resources carry (see leftovers.ts).
export function spawnKvmatrix(args: string[], options: CliOptions = {}): ResultPromise {
  return execa(process.execPath, [path.join(repoRoot, 'harness', 'bin', 'kvmatrix.ts'), ...args], {
    env: { ...process.env, CI: 'true', ...options.env },
    reject: false,
    all: true,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    // A SIGTERM must be answered by the harness's own teardown, however long it takes under load.
    forceKillAfterDelay: false,
  });
}

// `kvmatrix run <cell>` on the podman provider, its reports into `out`; read the record with
// `readRecord(out)` once the child has ended.
export function runCellCli(cell: string, options: CliOptions & { out: string }): ResultPromise {
  const { out, ...rest } = options;
  return spawnKvmatrix(['run', cell, '--provider', 'podman', '--artifacts', out], rest);
}

export async function readRecord(dir: string): Promise<ResultRecord> {
  return JSON.parse(await readFile(path.join(dir, 'result.json'), 'utf8')) as ResultRecord;
}
