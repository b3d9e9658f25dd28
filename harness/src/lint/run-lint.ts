import { realpath, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import { KvError, ToolMissingError } from '../contracts/errors.ts';
import { toolEnv } from '../host/paths.ts';
import { ansibleLintRunner } from './ansible-lint.ts';
import { type LintConfigs, resolveConfigs } from './configs.ts';
import { discoverTarget, hasAnsible, type LintTarget } from './discover.ts';
import { findInNodeModules, findOnPath, LintToolError } from './exec-tool.ts';
import { compareFindings, LINT_TOOL_IDS, type LintToolId, type ToolOutcome } from './finding.ts';
import { pycodestyleRunner } from './pycodestyle.ts';
import type { LintRunner } from './runner.ts';
import { shellcheckRunner } from './shellcheck.ts';
import { syntaxCheckRunner } from './syntax-check.ts';
import { typescriptRunner } from './typescript.ts';
import { yamllintRunner } from './yamllint.ts';

// In the order they start: the slowest first, so that the short ones fill the gaps.
const RUNNERS: LintRunner[] = [
  ansibleLintRunner,
  typescriptRunner,
  syntaxCheckRunner,
  yamllintRunner,
  shellcheckRunner,
  pycodestyleRunner,
];

export interface LintOptions {
  path: string;
  only?: LintToolId[];
  // The tools' environment; defaults to ours (.venv/bin first on PATH).
  env?: NodeJS.ProcessEnv;
  concurrency?: number;
  onProgress?: (message: string) => void;
}

export interface LintReport {
  root: string;
  target: LintTarget;
  configs: LintConfigs;
  // One per tool asked for, in LINT_TOOL_IDS order.
  outcomes: ToolOutcome[];
  notes: string[];
  durationMs: number;
}

// Runs the lint stage over one repository. Throws (exit 2) for a path that is not a folder and
// for missing tools, before anything runs; a tool that crashes is reported in its outcome.
export async function runLint(options: LintOptions): Promise<LintReport> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => {});
  const root = await resolveRoot(options.path);
  const target = await discoverTarget(root);
  const configs = resolveConfigs(root);
  const env = options.env ?? toolEnv();
  const wanted = new Set<LintToolId>(options.only ?? LINT_TOOL_IDS);
  const notes = describeTarget(target, configs);
  for (const note of notes) progress(note);

  const outcomes = new Map<LintToolId, Promise<ToolOutcome>>();
  const executables = new Map<string, string>();
  const missing: Array<{ tool: LintToolId; name: string; hint: string }> = [];
  const active: LintRunner[] = [];
  for (const runner of RUNNERS.filter((r) => wanted.has(r.id))) {
    const reason = runner.skipReason(target);
    if (reason !== undefined) {
      outcomes.set(runner.id, Promise.resolve(skipped(runner.id, reason)));
      continue;
    }
    for (const requirement of runner.requirements(target)) {
      const found =
        requirement.lookup === 'path'
          ? findOnPath(requirement.name, env)
          : findInNodeModules(requirement.name, root);
      if (found) executables.set(requirement.name, found);
      else missing.push({ tool: runner.id, ...requirement });
    }
    active.push(runner);
  }
  if (missing.length > 0) {
    const names = missing.map((m) => (m.name === m.tool ? m.name : `${m.name} (for ${m.tool})`));
    throw new ToolMissingError(
      [...new Set(names)].join(', '),
      [...new Set(missing.map((m) => m.hint))].join('; '),
    );
  }

  const limit = pLimit(options.concurrency ?? availableParallelism());
  const context = { target, configs, env, executables, schedule: <T>(task: () => Promise<T>) => limit(task) };
  for (const runner of active) {
    outcomes.set(
      runner.id,
      (async (): Promise<ToolOutcome> => {
        const toolStarted = performance.now();
        progress(`${runner.id}: started`);
        try {
          const { findings, checked } = await runner.run(context);
          findings.sort(compareFindings);
          const outcome: ToolOutcome = {
            tool: runner.id,
            status: findings.length > 0 ? 'findings' : 'clean',
            findings,
            checked,
            durationMs: performance.now() - toolStarted,
          };
          progress(`${runner.id}: ${describeCount(findings.length)} (${seconds(outcome.durationMs)})`);
          return outcome;
        } catch (error) {
          if (!(error instanceof LintToolError)) throw error;
          progress(`${runner.id}: could not run (${seconds(performance.now() - toolStarted)})`);
          return {
            tool: runner.id,
            status: 'failed',
            findings: [],
            checked: [],
            reason: error.message,
            durationMs: performance.now() - toolStarted,
          };
        }
      })(),
    );
  }
  const settled = await Promise.all(
    LINT_TOOL_IDS.filter((id) => outcomes.has(id)).map((id) => outcomes.get(id)),
  );
  return {
    root,
    target,
    configs,
    outcomes: settled as ToolOutcome[],
    notes,
    durationMs: performance.now() - started,
  };
}

// 0 clean, 1 findings, 2 when any tool could not run (the gate could not decide).
export function exitStatusOf(report: LintReport): 0 | 1 | 2 {
  if (report.outcomes.some((o) => o.status === 'failed')) return 2;
  return report.outcomes.some((o) => o.status === 'findings') ? 1 : 0;
}

async function resolveRoot(given: string): Promise<string> {
  const absolute = path.resolve(given);
  const info = await stat(absolute).catch(() => undefined);
  if (!info) {
    throw new KvError('NOT_FOUND', `lint path ${absolute} does not exist`, {
      hint: 'pass --path with the folder of a repository (default: the current folder)',
    });
  }
  if (!info.isDirectory()) {
    throw new KvError('USAGE', `lint path ${absolute} is not a folder`, {
      hint: 'pass --path with the folder of a repository, not a single file',
    });
  }
  return realpath(absolute);
}

function describeTarget(target: LintTarget, configs: LintConfigs): string[] {
  const notes = [
    `found ${target.files.length} files (${target.isGit ? 'git ls-files' : 'folder walk'}): ` +
      `${plural(target.playbooks.length, 'entry playbook')}, ${plural(target.roles.length, 'role')}, ` +
      `${target.yamlFiles.length} YAML, ${target.shellScripts.length} shell, ${target.pythonFiles.length} Python`,
  ];
  if (!hasAnsible(target)) notes.push('no Ansible in this repository: running the checks that apply');
  for (const project of target.ansibleProjects.filter((p) => p.dir !== '.')) {
    const own = [
      project.hasAnsibleCfg ? 'ansible.cfg' : '',
      project.ansibleLintConfig ? path.posix.basename(project.ansibleLintConfig) : '',
    ]
      .filter(Boolean)
      .join(', ');
    notes.push(`Ansible project ${project.dir}/ (${own}): its tools run from there`);
  }
  const own = [
    ...configs.own,
    ...target.ansibleProjects.flatMap((p) =>
      p.dir !== '.' && p.ansibleLintConfig ? [p.ansibleLintConfig] : [],
    ),
  ];
  if (own.length > 0) notes.push(`using the repository's own ${own.join(', ')}`);
  return notes;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function skipped(tool: LintToolId, reason: string): ToolOutcome {
  return { tool, status: 'skipped', findings: [], checked: [], reason, durationMs: 0 };
}

export function describeCount(count: number): string {
  if (count === 0) return 'clean';
  return count === 1 ? '1 finding' : `${count} findings`;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
