import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { KvError } from '../contracts/errors.ts';

// Creates `dir` and its missing parents, one level at a time, and fails at the first level that
// cannot be made. Node's `mkdir({ recursive: true })` retries a parent that exists but refuses
// children with ENOENT (procfs, sysfs) forever: `generate --out /proc/x` spun one core. Safe to
// call again; a folder that exists is fine.
export async function ensureDirectory(dir: string, what = 'folder'): Promise<void> {
  const target = path.resolve(dir);
  const missing: string[] = [];
  let current = target;
  for (;;) {
    const info = await stat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw cannotCreate(target, what, current, error);
    });
    if (info) {
      if (!info.isDirectory())
        throw cannotCreate(
          target,
          what,
          current,
          Object.assign(new Error('not a folder'), { code: 'ENOTDIR' }),
        );
      break;
    }
    missing.unshift(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const level of missing) {
    await mkdir(level).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return;
      throw cannotCreate(target, what, level, error);
    });
  }
}

function cannotCreate(target: string, what: string, at: string, cause: NodeJS.ErrnoException): KvError {
  const where = at === target ? '' : ` (at ${at})`;
  return new KvError('IO', `cannot create the ${what} ${target}${where}: ${cause.code ?? cause.message}`, {
    cause,
    hint: 'pick a folder on a writable file system (not /proc or /sys), one that is not a file',
  });
}
