import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { repoRoot } from '../../host/paths.ts';

const cli = path.join(repoRoot, 'node_modules/gitlab-ci-local/dist/index.js');
const gitEnv = {
  GIT_AUTHOR_NAME: 'kvmatrix',
  GIT_AUTHOR_EMAIL: 'kvmatrix@example.com',
  GIT_COMMITTER_NAME: 'kvmatrix',
  GIT_COMMITTER_EMAIL: 'kvmatrix@example.com',
};

// This checkout as a GitLab runner would clone it: the working tree's files (tracked, and new
// ones git does not ignore) committed in a fresh repository with a GitLab-like origin, and
// node_modules hard-linked from here and marked as installed from this package-lock.json, so
// .ci/prepare-job keeps it instead of running npm ci (hard links: nothing a job does to its
// copy reaches this checkout's files).
export async function makeCiCheckout(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kvmatrix-ci-checkout-'));
  const listed = await execa('git', ['ls-files', '-z', '-co', '--exclude-standard'], { cwd: repoRoot });
  const files = String(listed.stdout)
    .split('\0')
    .filter((f) => f && f !== 'node_modules' && f !== '.venv' && existsSync(path.join(repoRoot, f)));
  await execa('tar', ['-c', '--null', '-T', '-', '-f', '-'], {
    cwd: repoRoot,
    input: files.join('\0'),
    encoding: 'buffer',
  }).then((packed) => execa('tar', ['-x', '-f', '-'], { cwd: dir, input: packed.stdout as Uint8Array }));
  const git = (...args: string[]) => execa('git', args, { cwd: dir, env: gitEnv });
  await git('init', '-q', '-b', 'main');
  await git('remote', 'add', 'origin', 'https://gitlab.example.com/platform/kvmatrix.git');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'checkout under test');
  await git('update-ref', 'refs/remotes/origin/main', 'HEAD');
  await git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');
  await execa('cp', [
    '-al',
    await realpath(path.join(repoRoot, 'node_modules')),
    path.join(dir, 'node_modules'),
  ]);
  const lock = createHash('sha256')
    .update(await readFile(path.join(dir, 'package-lock.json')))
    .digest('hex');
  await writeFile(path.join(dir, 'node_modules', '.kvmatrix-lock'), `${lock}\n`);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface JobRun {
  exitCode: number;
  // The job's own exit status as gitlab-ci-local reports it (0 when it passed).
  jobExitCode: number;
  output: string;
  durationMs: number;
}

// One job, as gitlab-ci-local's shell executor runs it (images are ignored: it runs here, with
// what this machine has); `variables` are what a runner's CI/CD variables would set.
export async function runGitlabJob(
  dir: string,
  job: string,
  options: { file?: string; variables?: Record<string, string>; timeoutMs?: number } = {},
): Promise<JobRun> {
  const args = [cli, '--force-shell-executor', '--no-color'];
  if (options.file) args.push('--file', options.file);
  for (const [key, value] of Object.entries(options.variables ?? {}))
    args.push('--variable', `${key}=${value}`);
  args.push(job);
  const started = Date.now();
  const result = await execa(process.execPath, args, {
    cwd: dir,
    reject: false,
    all: true,
    timeout: options.timeoutMs ?? 600_000,
    env: { NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  const output = String(result.all ?? '');
  const verdict = /finished in .*\b(PASS|FAIL)(?: (\d+))?/.exec(output);
  const jobExitCode = verdict?.[1] === 'PASS' ? 0 : Number(verdict?.[2] ?? result.exitCode ?? 1);
  return { exitCode: result.exitCode ?? -1, jobExitCode, output, durationMs: Date.now() - started };
}

// GitLab's `retry` rule, which gitlab-ci-local parses but does not apply: the job runs again
// while its status is one of `retry.exit_codes` (and `when` covers script failures), at most
// `retry.max` more times. Returns every attempt.
export async function runGitlabJobWithRetry(
  dir: string,
  job: string,
  options: { file: string; variables?: Record<string, string>; timeoutMs?: number },
): Promise<JobRun[]> {
  const doc = parse(await readFile(path.join(dir, options.file), 'utf8')) as Record<
    string,
    { retry?: { max?: number; exit_codes?: number[]; when?: string[] } }
  >;
  const base = job.replace(/: \[.*\]$/, '');
  const retry = doc[base]?.retry ?? {};
  const retriable = (code: number) =>
    (retry.exit_codes ?? []).includes(code) &&
    (!retry.when || retry.when.some((w) => w === 'script_failure' || w === 'always'));
  const attempts: JobRun[] = [];
  do {
    attempts.push(await runGitlabJob(dir, job, options));
  } while (attempts.length <= (retry.max ?? 0) && retriable((attempts.at(-1) as JobRun).jobExitCode));
  return attempts;
}
