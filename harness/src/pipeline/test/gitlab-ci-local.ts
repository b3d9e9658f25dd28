import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { repoRoot } from '../../host/paths.ts';

const cli = path.join(repoRoot, 'node_modules/gitlab-ci-local/dist/index.js');

// Parses a pipeline file the way GitLab would with gitlab-ci-local (its schema check, includes,
// extends, parallel:matrix expansion) in a throw-away git repository, and returns the job list.
// Runs on the Node.js that runs the tests (24): gitlab-ci-local crashes on the machine's Node 20.
export async function listJobsWithGitlabCiLocal(
  content: string,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kvmatrix-gcl-'));
  try {
    await writeFile(path.join(dir, '.gitlab-ci.yml'), content);
    const git = (...args: string[]) =>
      execa('git', args, {
        cwd: dir,
        env: {
          GIT_AUTHOR_NAME: 'kvmatrix',
          GIT_AUTHOR_EMAIL: 'kvmatrix@example.com',
          GIT_COMMITTER_NAME: 'kvmatrix',
          GIT_COMMITTER_EMAIL: 'kvmatrix@example.com',
        },
      });
    await git('init', '-q', '-b', 'main');
    await git('remote', 'add', 'origin', 'https://gitlab.example.com/platform/kvmatrix.git');
    await git('commit', '-q', '--allow-empty', '-m', 'pipeline under test');
    await git('update-ref', 'refs/remotes/origin/main', 'HEAD');
    await git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');
    const result = await execa(process.execPath, [cli, '--list'], {
      cwd: dir,
      reject: false,
      timeout: 60_000,
      env: { NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
