import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

// Folders no tool looks into: dependencies, virtualenvs, VCS data and caches.
const SKIPPED_DIRS = new Set(['node_modules', '.venv', '.git', '__pycache__', '.tox', '.cache']);

export interface RepositoryFiles {
  isGit: boolean;
  // Relative to the root, forward slashes, sorted; regular files only (no symlinks).
  files: string[];
}

// True for paths the lint stage never checks: the folders above, and test fixtures
// (`test/fixtures/`, `tests/fixtures/`), which are deliberately broken examples.
export function isSkippedPath(relative: string): boolean {
  const parts = relative.split('/');
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    if (SKIPPED_DIRS.has(part)) return true;
    if (part === 'fixtures' && i > 0 && /^tests?$/.test(parts[i - 1] as string)) return true;
  }
  return false;
}

// Lists the files a repository owns: what git tracks plus untracked files it does not ignore
// when the folder is in a git work tree, else a walk of the folder.
export async function listRepositoryFiles(root: string): Promise<RepositoryFiles> {
  const fromGit = await listGitFiles(root);
  const files = fromGit ?? (await walk(root, ''));
  const regular: string[] = [];
  for (const file of files) {
    if (isSkippedPath(file)) continue;
    const stat = await lstat(path.join(root, file)).catch(() => undefined);
    if (stat?.isFile()) regular.push(file);
  }
  regular.sort();
  return { isGit: fromGit !== undefined, files: regular };
}

async function listGitFiles(root: string): Promise<string[] | undefined> {
  const inside = await execa('git', ['rev-parse', '--is-inside-work-tree'], {
    cwd: root,
    reject: false,
    stdin: 'ignore',
  });
  if (inside.exitCode !== 0 || String(inside.stdout).trim() !== 'true') return undefined;
  const listed = await execa('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    reject: false,
    stdin: 'ignore',
  });
  if (listed.exitCode !== 0) return undefined;
  return [...new Set(String(listed.stdout).split('\0').filter(Boolean))];
}

async function walk(root: string, relative: string): Promise<string[]> {
  const entries = await readdir(path.join(root, relative), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) files.push(...(await walk(root, child)));
    } else if (entry.isFile()) {
      files.push(child);
    }
  }
  return files;
}
