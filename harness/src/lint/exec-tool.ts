import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { KvError } from '../contracts/errors.ts';
import type { LintToolId } from './finding.ts';

// A tool that started but could not do its job (crashed, was killed, printed what it never
// prints). Exit 2: the gate could not decide, which is not the same as "found problems".
export class LintToolError extends KvError {
  readonly tool: LintToolId;

  constructor(tool: LintToolId, message: string, hint?: string) {
    super('TOOL_FAILED', `${tool} could not run: ${message}`, hint === undefined ? {} : { hint });
    this.tool = tool;
  }
}

export interface ToolRun {
  executable: string;
  command: string;
  exitCode: number | undefined;
  signal: string | undefined;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  // Set when the process could not be started at all (ENOENT, EACCES, ...).
  spawnError: string | undefined;
}

// Finds an executable the way a shell would, in the PATH of the given environment.
export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  return findExecutableIn(name, dirs);
}

// Finds an executable in node_modules/.bin of the folder or any folder above it, the way Node
// resolves packages (a project's own tsc, biome).
export function findInNodeModules(name: string, fromDir: string): string | undefined {
  const dirs: string[] = [];
  for (let dir = path.resolve(fromDir); ; dir = path.dirname(dir)) {
    dirs.push(path.join(dir, 'node_modules', '.bin'));
    if (path.dirname(dir) === dir) break;
  }
  return findExecutableIn(name, dirs);
}

function findExecutableIn(name: string, dirs: string[]): string | undefined {
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

// Runs a tool to completion without throwing for a non-zero exit: each runner decides which exit
// statuses mean "findings" and which mean the tool broke.
export async function runTool(
  file: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<ToolRun> {
  const result = await execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    stripFinalNewline: false,
    timeout: options.timeoutMs ?? 600_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  const spawned = result.exitCode !== undefined || result.signal !== undefined;
  return {
    executable: file,
    command: [path.basename(file), ...args].join(' '),
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
    stderr: typeof result.stderr === 'string' ? result.stderr : '',
    spawnError: spawned
      ? undefined
      : (result.originalMessage ?? result.shortMessage ?? 'could not be started'),
  };
}

// Builds the error for a run whose outcome the runner does not recognise, quoting the end of
// what the tool printed so that the CI log shows why.
export function toolFailure(tool: LintToolId, run: ToolRun, expected?: string): LintToolError {
  let how: string;
  if (run.spawnError !== undefined) how = `could not be started (${run.spawnError})`;
  else if (run.timedOut) how = 'did not finish in time and was stopped';
  else if (run.signal !== undefined) how = `was killed by ${run.signal}`;
  else if (run.exitCode === 127) how = 'exited with status 127 (a command it needs was not found)';
  else how = `exited with status ${run.exitCode}`;
  const tail = lastLines(`${run.stderr}\n${run.stdout}`, 6);
  const lines = [
    `${run.executable} ${how}${expected ? `; ${expected}` : ''}`,
    `  command: ${truncate(run.command, 200)}`,
  ];
  if (tail) lines.push(...tail.split('\n').map((line) => `  | ${line}`));
  return new LintToolError(
    tool,
    lines.join('\n'),
    'run the command above by hand in the linted folder; reinstall the tools with `npm run setup`',
  );
}

function lastLines(text: string, count: number): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.length > 0)
    .slice(-count)
    .join('\n');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
