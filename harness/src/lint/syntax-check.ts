import path from 'node:path';
import { ansibleEnv } from './ansible-env.ts';
import { type AnsibleProject, relativeToProject } from './ansible-projects.ts';
import { runTool, toolFailure } from './exec-tool.ts';
import type { Finding } from './finding.ts';
import { type LintRunner, type RunnerContext, relativeToRoot, SETUP_HINT } from './runner.ts';

// `ansible-playbook --syntax-check` over every entry playbook, from its project's folder (so
// that its ansible.cfg applies). One process checks all playbooks of a project (Ansible's start-up
// is most of the cost); only when it fails is each playbook checked on its own, side by side, so
// that every error is found and pinned to its playbook (Ansible stops at the first).
export const syntaxCheckRunner: LintRunner = {
  id: 'syntax-check',
  skipReason: (target) => (target.playbooks.length > 0 ? undefined : 'no entry playbooks found'),
  requirements: () => [{ name: 'ansible-playbook', lookup: 'path', hint: SETUP_HINT }],
  async run(context) {
    const perProject = context.target.ansibleProjects
      .filter((project) => project.playbooks.length > 0)
      .map((project) => checkProject(context, project));
    return { findings: (await Promise.all(perProject)).flat(), checked: context.target.playbooks };
  },
};

async function checkProject(
  { target, env, executables, schedule }: RunnerContext,
  project: AnsibleProject,
): Promise<Finding[]> {
  const options = { cwd: path.join(target.root, project.dir), env: ansibleEnv(target.root, project, env) };
  const check = (playbooks: string[]) =>
    schedule(() =>
      runTool(
        executables.get('ansible-playbook') as string,
        ['--syntax-check', ...playbooks.map((p) => relativeToProject(project, p))],
        options,
      ),
    );
  if (project.playbooks.length > 1 && (await check(project.playbooks)).exitCode === 0) return [];
  const perPlaybook = project.playbooks.map(async (playbook) => {
    const run = await check([playbook]);
    if (run.exitCode === 0) return [];
    // 1: error, 4: parser error, 5: bad options (a missing role or file); 250 is an unexpected
    // exception inside Ansible, and a signal is a crash: the tool broke.
    const finding = parseSyntaxCheckError(`${run.stderr}\n${run.stdout}`, playbook, target.root);
    if (finding === undefined || ![1, 4, 5].includes(run.exitCode ?? -1))
      throw toolFailure('syntax-check', run);
    return [finding];
  });
  return (await Promise.all(perPlaybook)).flat();
}

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
