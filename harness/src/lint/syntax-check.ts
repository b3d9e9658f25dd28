import { ansibleEnv } from './ansible-env.ts';
import { runTool, toolFailure } from './exec-tool.ts';
import type { Finding } from './finding.ts';
import { type LintRunner, relativeToRoot, SETUP_HINT } from './runner.ts';

// `ansible-playbook --syntax-check` over every entry playbook, one process per playbook so that
// each error is pinned to its playbook and the playbooks are checked side by side.
export const syntaxCheckRunner: LintRunner = {
  id: 'syntax-check',
  skipReason: (target) => (target.playbooks.length > 0 ? undefined : 'no entry playbooks found'),
  requirements: () => [{ name: 'ansible-playbook', lookup: 'path', hint: SETUP_HINT }],
  async run({ target, env, executables, schedule }) {
    const toolEnv = ansibleEnv(target, env);
    const perPlaybook = target.playbooks.map((playbook) =>
      schedule(async () => {
        const run = await runTool(
          executables.get('ansible-playbook') as string,
          ['--syntax-check', playbook],
          { cwd: target.root, env: toolEnv },
        );
        if (run.exitCode === 0) return [];
        // 1: error, 4: parser error, 5: bad options (a missing role or file); 250 is an
        // unexpected exception inside Ansible, and a signal is a crash: the tool broke.
        const finding = parseSyntaxCheckError(`${run.stderr}\n${run.stdout}`, playbook, target.root);
        if (finding === undefined || ![1, 4, 5].includes(run.exitCode ?? -1)) {
          throw toolFailure('syntax-check', run);
        }
        return [finding];
      }),
    );
    return { findings: (await Promise.all(perPlaybook)).flat(), checked: target.playbooks };
  },
};

// Ansible prints `ERROR! <message>` and, when it knows, `The error appears to be in '<file>':
// line N, column M`, with its own line wrapping at 80 columns.
export function parseSyntaxCheckError(output: string, playbook: string, root: string): Finding | undefined {
  const start = output.indexOf('ERROR! ');
  if (start < 0) return undefined;
  const rest = output.slice(start + 'ERROR! '.length);
  const message = (rest.split(/\n\s*\n/)[0] ?? '').replace(/\s+/g, ' ').trim();
  const where = /The error appears to be in\s+'([^']+)':\s+line\s+(\d+),\s+column\s+(\d+)/.exec(rest);
  const finding: Finding = {
    tool: 'syntax-check',
    file: where ? relativeToRoot(root, where[1] as string) : playbook,
    line: where ? Number(where[2]) : 1,
    rule: 'syntax-check',
    severity: 'blocker',
    message,
  };
  if (where) finding.column = Number(where[3]);
  return finding;
}
