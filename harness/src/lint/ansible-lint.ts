import path from 'node:path';
import { ansibleEnv } from './ansible-env.ts';
import type { AnsibleProject } from './ansible-projects.ts';
import { hasAnsible } from './discover.ts';
import { runTool, toolFailure } from './exec-tool.ts';
import type { Finding, Severity } from './finding.ts';
import { type LintRunner, type RunnerContext, relativeToRoot, SETUP_HINT } from './runner.ts';

const SEVERITIES = new Set<string>(['info', 'minor', 'major', 'critical', 'blocker']);

// ansible-lint over each Ansible project, from the project's folder and with its own
// configuration when it has one. At the root: the top folders holding playbooks and roles
// (`roles/`, `ansible/`), or everything when a playbook sits at the root itself.
export const ansibleLintRunner: LintRunner = {
  id: 'ansible-lint',
  skipReason: (target) => (hasAnsible(target) ? undefined : 'no Ansible found (no playbooks, no roles)'),
  requirements: () => [{ name: 'ansible-lint', lookup: 'path', hint: SETUP_HINT }],
  async run(context) {
    const perProject = context.target.ansibleProjects.map((project) => lintProject(context, project));
    const results = await Promise.all(perProject);
    return { findings: results.flatMap((r) => r.findings), checked: results.flatMap((r) => r.checked) };
  },
};

async function lintProject(
  { target, configs, env, executables, schedule }: RunnerContext,
  project: AnsibleProject,
): Promise<{ findings: Finding[]; checked: string[] }> {
  const projectRoot = path.join(target.root, project.dir);
  const config = project.ansibleLintConfig
    ? path.join(target.root, project.ansibleLintConfig)
    : configs.ansibleLint;
  const args = ['--offline', '--nocolor', '-f', 'codeclimate', '-c', config, '--project-dir', projectRoot];
  const nested = target.ansibleProjects.filter((p) => p.dir !== project.dir && isInside(p.dir, project.dir));
  for (const other of nested) args.push('--exclude', path.posix.relative(project.dir, other.dir));
  const lintables = ansibleLintables(project);
  args.push(...lintables);
  const run = await schedule(() =>
    runTool(executables.get('ansible-lint') as string, args, {
      cwd: projectRoot,
      env: ansibleEnv(target.root, project, env),
    }),
  );
  // 0: clean, 2: violations found; anything else (3 bad config, 1 crash, a signal) broke.
  if (run.exitCode !== 0 && run.exitCode !== 2) throw toolFailure('ansible-lint', run);
  let findings: Finding[];
  try {
    findings = parseAnsibleLintCodeclimate(run.stdout, target.root, project.dir);
  } catch (error) {
    throw toolFailure('ansible-lint', run, `its codeclimate output did not parse (${String(error)})`);
  }
  if (run.exitCode === 2 && findings.length === 0) {
    throw toolFailure('ansible-lint', run, 'it reported violations but printed none');
  }
  const scopes =
    lintables.length === 0 ? [project.dir] : lintables.map((l) => path.posix.join(project.dir, l));
  const checked = target.yamlFiles.filter(
    (file) => scopes.some((scope) => isInside(file, scope)) && !nested.some((p) => isInside(file, p.dir)),
  );
  return { findings, checked };
}

function isInside(file: string, dir: string): boolean {
  return dir === '.' || file === dir || file.startsWith(`${dir}/`);
}

// What to pass ansible-lint, relative to the project folder: nothing (the whole project) for a
// project of its own folder or with a playbook at its top, else the top folders of its content.
export function ansibleLintables(project: AnsibleProject): string[] {
  if (project.dir !== '.') return [];
  const items = [...project.playbooks, ...project.roles];
  if (project.playbooks.some((p) => !p.includes('/')) || project.roles.includes('.')) return [];
  return [...new Set(items.map((p) => p.split('/')[0] as string))].sort();
}

interface CodeclimateIssue {
  check_name?: string;
  severity?: string;
  description?: string;
  content?: { body?: string };
  location?: {
    path?: string;
    lines?: { begin?: number };
    positions?: { begin?: { line?: number; column?: number } };
  };
}

// Reads ansible-lint's `-f codeclimate` output (a JSON array of issues), whose paths are
// relative to the folder it ran from (`projectDir`, relative to the root).
export function parseAnsibleLintCodeclimate(stdout: string, root: string, projectDir = '.'): Finding[] {
  const text = stdout.trim();
  if (text === '') return [];
  const issues = JSON.parse(text) as CodeclimateIssue[];
  if (!Array.isArray(issues)) throw new Error('expected a JSON array');
  return issues.map((issue) => {
    const location = issue.location ?? {};
    const reported = location.path ?? '.';
    const file = path.posix.isAbsolute(reported) ? reported : path.posix.join(root, projectDir, reported);
    const column = location.positions?.begin?.column;
    const body = issue.content?.body?.trim();
    const finding: Finding = {
      tool: 'ansible-lint',
      file: relativeToRoot(root, file),
      line: location.lines?.begin ?? location.positions?.begin?.line ?? 1,
      rule: issue.check_name ?? 'ansible-lint',
      severity: SEVERITIES.has(issue.severity ?? '') ? (issue.severity as Severity) : 'major',
      message: body ? `${issue.description ?? ''} (${body})`.trim() : (issue.description ?? ''),
    };
    if (column !== undefined) finding.column = column;
    return finding;
  });
}
