import { runTool, toolFailure } from './exec-tool.ts';
import type { Finding, Severity } from './finding.ts';
import { chunk, type LintRunner, relativeToRoot } from './runner.ts';

const SEVERITY_BY_LEVEL: Record<string, Severity> = {
  error: 'critical',
  warning: 'major',
  info: 'minor',
  style: 'info',
};

// shellcheck over every shell script: *.sh, *.bash and files with an sh/bash shebang.
export const shellcheckRunner: LintRunner = {
  id: 'shellcheck',
  skipReason: (target) => (target.shellScripts.length > 0 ? undefined : 'no shell scripts found'),
  requirements: () => [
    {
      name: 'shellcheck',
      lookup: 'path',
      hint: "run `npm run setup` (it installs Debian's shellcheck), or `apt-get install shellcheck`",
    },
  ],
  async run({ target, configs, env, executables, schedule }) {
    const batches = chunk(target.shellScripts).map((files) =>
      schedule(async () => {
        const run = await runTool(
          executables.get('shellcheck') as string,
          ['--format=json1', '--color=never', ...configs.shellcheckArgs, '--', ...files],
          { cwd: target.root, env },
        );
        // 0: clean, 1: findings; 2-4: files it could not read or options it refused.
        if (run.exitCode !== 0 && run.exitCode !== 1) throw toolFailure('shellcheck', run);
        try {
          const findings = parseShellcheckJson1(run.stdout, target.root);
          if (run.exitCode === 1 && findings.length === 0)
            throw new Error('no findings despite exit status 1');
          return findings;
        } catch (error) {
          throw toolFailure('shellcheck', run, `its json1 output did not parse (${String(error)})`);
        }
      }),
    );
    return { findings: (await Promise.all(batches)).flat(), checked: target.shellScripts };
  },
};

interface Json1Comment {
  file: string;
  line: number;
  column?: number;
  level: string;
  code: number;
  message: string;
}

// Reads `shellcheck --format=json1`: {"comments": [{file, line, column, level, code, message}]}.
export function parseShellcheckJson1(stdout: string, root: string): Finding[] {
  const parsed = JSON.parse(stdout) as { comments?: Json1Comment[] };
  if (!parsed || !Array.isArray(parsed.comments)) throw new Error('expected {"comments": [...]}');
  return parsed.comments.map((comment) => {
    const finding: Finding = {
      tool: 'shellcheck',
      file: relativeToRoot(root, comment.file),
      line: comment.line,
      rule: `SC${comment.code}`,
      severity: SEVERITY_BY_LEVEL[comment.level] ?? 'major',
      message: comment.message,
    };
    if (comment.column !== undefined) finding.column = comment.column;
    return finding;
  });
}
