import { execa } from 'execa';
import { KvError, ToolMissingError, UsageError } from '../contracts/errors.ts';
import { hasControlCharacters, quoteValue } from '../contracts/safe-text.ts';

// The files a change touches relative to `ref`: everything that differs between the merge base
// of `ref` and HEAD and the working tree (so uncommitted and untracked files count on a
// developer's machine; in CI the tree is clean). Renames count as delete + add, so both paths
// are seen. Paths are relative to the repository root, with forward slashes.
// `ref` is user input: it is refused when it could read as an option, resolved to a commit with
// `--end-of-options`, and only the commit id reaches the later git commands.
export async function listChangedFiles(ref: string, cwd: string): Promise<string[]> {
  checkRef(ref);
  const top = (await git(['rev-parse', '--show-toplevel'], cwd, ref)).trim();
  const commit = (
    await git(['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`], top, ref)
  ).trim();
  const base = (await git(['merge-base', '--end-of-options', commit, 'HEAD'], top, ref)).trim();
  const diff = await git(['diff', '--name-only', '--no-renames', '-z', base, '--'], top, ref);
  const untracked = await git(['ls-files', '--others', '--exclude-standard', '-z', '--'], top, ref);
  const files = new Set([...diff.split('\0'), ...untracked.split('\0')].filter(Boolean));
  return [...files].sort();
}

// A git ref never starts with "-" (git check-ref-format) and holds no control characters.
export function checkRef(ref: string): void {
  if (ref === '' || ref.startsWith('-') || hasControlCharacters(ref)) {
    throw new UsageError(`--changed-from ${quoteValue(ref)} is not a git ref`, {
      hint: 'pass a branch, tag or commit, e.g. --changed-from origin/main',
    });
  }
}

async function git(args: string[], cwd: string, ref: string): Promise<string> {
  try {
    const { stdout } = await execa('git', args, { cwd, stripFinalNewline: false });
    return stdout;
  } catch (error) {
    const e = error as { code?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new ToolMissingError('git', 'install git (apt-get install git)');
    const detail = (e.stderr ?? '').trim().split('\n')[0] ?? '';
    throw new KvError('USAGE', `cannot compare with ${quoteValue(ref)}: git ${args[0]} failed: ${detail}`, {
      cause: error,
      hint: 'fetch the ref first (in CI: GIT_DEPTH: 0, or `git fetch origin <branch>`), or pass another --changed-from',
    });
  }
}

// The files git tracks in the repository holding `dir` (paths relative to its root), and that
// root; undefined outside a git work tree (an exported tarball), where nothing can be compared.
export async function listTrackedFiles(dir: string): Promise<{ top: string; files: string[] } | undefined> {
  const top = await execa('git', ['rev-parse', '--show-toplevel'], { cwd: dir, reject: false });
  if (top.exitCode !== 0 || typeof top.stdout !== 'string') return undefined;
  const root = top.stdout.trim();
  const listed = await execa('git', ['ls-files', '-z'], { cwd: root, reject: false });
  if (listed.exitCode !== 0) return undefined;
  return { top: root, files: String(listed.stdout).split('\0').filter(Boolean) };
}
