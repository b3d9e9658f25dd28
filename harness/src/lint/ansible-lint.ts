import { ansibleEnv } from './ansible-env.ts';
import { hasAnsible, type LintTarget } from './discover.ts';
import { runTool, toolFailure } from './exec-tool.ts';
import type { Finding, Severity } from './finding.ts';
import { type LintRunner, relativeToRoot, SETUP_HINT } from './runner.ts';

const SEVERITIES = new Set<string>(['info', 'minor', 'major', 'critical', 'blocker']);

// ansible-lint over the Ansible content: the top folders holding the entry playbooks and roles
// (`playbooks/`), or the whole repository when a playbook sits at its root.
export const ansibleLintRunner: LintRunner = {
  id: 'ansible-lint',
  skipReason: (target) => (hasAnsible(target) ? undefined : 'no Ansible found (no playbooks, no roles)'),
  requirements: () => [{ name: 'ansible-lint', lookup: 'path', hint: SETUP_HINT }],
  async run({ target, configs, env, executables, schedule }) {
    const lintables = ansibleLintables(target);
    const args = ['--offline', '--nocolor', '-f', 'codeclimate', '-c', configs.ansibleLint];
    args.push('--project-dir', target.root, ...lintables);
    const run = await schedule(() =>
      runTool(executables.get('ansible-lint') as string, args, {
        cwd: target.root,
        env: ansibleEnv(target, env),
      }),
    );
    // 0: clean, 2: violations found; anything else (3 bad config, 1 crash, a signal) broke.
    if (run.exitCode !== 0 && run.exitCode !== 2) throw toolFailure('ansible-lint', run);
    let findings: Finding[];
    try {
      findings = parseAnsibleLintCodeclimate(run.stdout, target.root);
    } catch (error) {
      throw toolFailure('ansible-lint', run, `its codeclimate output did not parse (${String(error)})`);
    }
    if (run.exitCode === 2 && findings.length === 0) {
      throw toolFailure('ansible-lint', run, 'it reported violations but printed none');
    }
    const inScope = (file: string) =>
      lintables.length === 0 || lintables.some((dir) => file === dir || file.startsWith(`${dir}/`));
    return { findings, checked: target.yamlFiles.filter(inScope) };
  },
};

export function ansibleLintables(target: LintTarget): string[] {
  const tops = [...target.playbooks, ...target.roles].map((p) => p.split('/')[0] as string);
  if (target.playbooks.some((p) => !p.includes('/')) || target.roles.includes('.')) return [];
  return [...new Set(tops)].sort();
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

// Reads ansible-lint's `-f codeclimate` output (a JSON array of issues).
export function parseAnsibleLintCodeclimate(stdout: string, root: string): Finding[] {
  const text = stdout.trim();
  if (text === '') return [];
  const issues = JSON.parse(text) as CodeclimateIssue[];
  if (!Array.isArray(issues)) throw new Error('expected a JSON array');
  return issues.map((issue) => {
    const location = issue.location ?? {};
    const line = location.lines?.begin ?? location.positions?.begin?.line ?? 1;
    const column = location.positions?.begin?.column;
    const body = issue.content?.body?.trim();
    const finding: Finding = {
      tool: 'ansible-lint',
      file: relativeToRoot(root, location.path ?? '.'),
      line,
      rule: issue.check_name ?? 'ansible-lint',
      severity: SEVERITIES.has(issue.severity ?? '') ? (issue.severity as Severity) : 'major',
      message: body ? `${issue.description ?? ''} (${body})`.trim() : (issue.description ?? ''),
    };
    if (column !== undefined) finding.column = column;
    return finding;
  });
}
