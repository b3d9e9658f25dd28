import { execa } from 'execa';
import { KvError, ToolMissingError } from '../contracts/errors.ts';

// The files a change touches relative to `ref`: everything that differs between the merge base
// of `ref` and HEAD and the working tree (so uncommitted and untracked files count on a
// developer's machine; in CI the tree is clean). Renames count as delete + add, so both paths
// are seen. Paths are relative to the repository root, with forward slashes.
export async function listChangedFiles(ref: string, cwd: string): Promise<string[]> {
  const top = (await git(['rev-parse', '--show-toplevel'], cwd, ref)).trim();
  const base = (await git(['merge-base', ref, 'HEAD'], top, ref)).trim();
  const diff = await git(['diff', '--name-only', '--no-renames', '-z', base], top, ref);
  const untracked = await git(['ls-files', '--others', '--exclude-standard', '-z'], top, ref);
  const files = new Set([...diff.split('\0'), ...untracked.split('\0')].filter(Boolean));
  return [...files].sort();
}

async function git(args: string[], cwd: string, ref: string): Promise<string> {
  try {
    const { stdout } = await execa('git', args, { cwd, stripFinalNewline: false });
    return stdout;
  } catch (error) {
    const e = error as { code?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new ToolMissingError('git', 'install git (apt-get install git)');
    const detail = (e.stderr ?? '').trim().split('\n')[0] ?? '';
    throw new KvError('USAGE', `cannot compare with "${ref}": git ${args[0]} failed: ${detail}`, {
      cause: error,
      hint: 'fetch the ref first (in CI: GIT_DEPTH: 0, or `git fetch origin <branch>`), or pass another --changed-from',
    });
  }
}
