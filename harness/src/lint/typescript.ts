import { existsSync } from 'node:fs';
import path from 'node:path';
import type { LintTarget } from './discover.ts';
import { runTool, toolFailure } from './exec-tool.ts';
import type { Finding, Severity } from './finding.ts';
import type { LintRunner, RunnerContext } from './runner.ts';
import { relativeToRoot } from './runner.ts';

const NPM_HINT = 'run `npm ci` in the linted repository: tsc and biome run from its own node_modules';

// The TypeScript checks of a repository with a tsconfig.json: `tsc --noEmit`, and `biome check`
// when the repository configures biome. Both run from the repository's own node_modules.
export const typescriptRunner: LintRunner = {
  id: 'typescript',
  skipReason: (target) => (target.hasTsconfig ? undefined : 'no tsconfig.json at the root'),
  requirements: (target) => [
    { name: 'tsc', lookup: 'node_modules', hint: NPM_HINT },
    ...(biomeConfig(target) ? [{ name: 'biome', lookup: 'node_modules' as const, hint: NPM_HINT }] : []),
  ],
  async run(context) {
    const checks = [runTsc(context)];
    if (biomeConfig(context.target)) checks.push(runBiome(context));
    return { findings: (await Promise.all(checks)).flat(), checked: context.target.typescriptFiles };
  },
};

function biomeConfig(target: LintTarget): boolean {
  return ['biome.json', 'biome.jsonc'].some((name) => existsSync(path.join(target.root, name)));
}

// node_modules/.bin first on PATH, so that `#!/usr/bin/env node` finds the project's own Node.
function nodeEnv(executable: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, PATH: `${path.dirname(executable)}${path.delimiter}${env.PATH ?? ''}`, NO_COLOR: '1' };
}

async function runTsc({ target, env, executables, schedule }: RunnerContext): Promise<Finding[]> {
  const tsc = executables.get('tsc') as string;
  const run = await schedule(() =>
    runTool(tsc, ['--noEmit', '-p', 'tsconfig.json', '--pretty', 'false'], {
      cwd: target.root,
      env: nodeEnv(tsc, env),
    }),
  );
  // 0: clean; 1 and 2: diagnostics were reported; anything else broke.
  if (run.exitCode === 0) return [];
  const findings = parseTscOutput(run.stdout, target.root);
  if ((run.exitCode !== 1 && run.exitCode !== 2) || findings.length === 0)
    throw toolFailure('typescript', run);
  return findings;
}

async function runBiome({ target, env, executables, schedule }: RunnerContext): Promise<Finding[]> {
  const biome = executables.get('biome') as string;
  const run = await schedule(() =>
    runTool(biome, ['check', '--reporter=github', '--colors=off'], {
      cwd: target.root,
      env: nodeEnv(biome, env),
    }),
  );
  if (run.exitCode === 0) return [];
  const findings = parseBiomeGithub(run.stdout, target.root);
  if (run.exitCode !== 1 || findings.length === 0) throw toolFailure('typescript', run);
  return findings;
}

const TSC_LOCATED = /^(.+)\((\d+),(\d+)\): (error|warning) (TS\d+): (.*)$/;
const TSC_GLOBAL = /^(error|warning) (TS\d+): (.*)$/;

// Reads `tsc --pretty false`: `file(line,col): error TS1234: message`, continuation lines indented.
export function parseTscOutput(stdout: string, root: string): Finding[] {
  const findings: Finding[] = [];
  for (const line of stdout.split('\n')) {
    const located = TSC_LOCATED.exec(line);
    const global = located ? null : TSC_GLOBAL.exec(line);
    if (located) {
      const [, file, row, column, level, code, message] = located as unknown as string[];
      findings.push({
        tool: 'typescript',
        file: relativeToRoot(root, file as string),
        line: Number(row),
        column: Number(column),
        rule: code as string,
        severity: level === 'error' ? 'critical' : 'minor',
        message: message as string,
      });
    } else if (global) {
      const [, level, code, message] = global as unknown as string[];
      findings.push({
        tool: 'typescript',
        file: 'tsconfig.json',
        line: 1,
        rule: code as string,
        severity: level === 'error' ? 'critical' : 'minor',
        message: message as string,
      });
    } else if (/^\s+\S/.test(line) && findings.length > 0) {
      const last = findings[findings.length - 1] as Finding;
      last.message += ` ${line.trim()}`;
    }
  }
  return findings;
}

const BIOME_SEVERITY: Record<string, Severity> = { error: 'major', warning: 'minor', notice: 'info' };

// Reads `biome check --reporter=github`: `::error title=RULE,file=F,line=L,col=C::message`, with
// GitHub's workflow-command escaping (%25, %0D, %0A, %3A, %2C).
export function parseBiomeGithub(stdout: string, root: string): Finding[] {
  const findings: Finding[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^::(error|warning|notice) (.*?)::(.*)$/.exec(line.trimEnd());
    if (!match) continue;
    const [, level, props, message] = match as unknown as [string, string, string, string];
    const fields = new Map<string, string>();
    for (const pair of props.split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) fields.set(pair.slice(0, eq), unescapeGithub(pair.slice(eq + 1)));
    }
    const finding: Finding = {
      tool: 'typescript',
      file: relativeToRoot(root, fields.get('file') ?? 'biome.json'),
      line: Number(fields.get('line') ?? 1),
      rule: fields.get('title') ?? 'biome',
      severity: BIOME_SEVERITY[level] ?? 'major',
      message: unescapeGithub(message),
    };
    if (fields.has('col')) finding.column = Number(fields.get('col'));
    findings.push(finding);
  }
  return findings;
}

function unescapeGithub(value: string): string {
  return value
    .replaceAll('%0D', '\r')
    .replaceAll('%0A', '\n')
    .replaceAll('%3A', ':')
    .replaceAll('%2C', ',')
    .replaceAll('%25', '%');
}
