import { execa } from 'execa';
import { InfrastructureError, ToolMissingError } from '../contracts/errors.ts';

export interface ToolResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunToolOptions {
  input?: string;
  inputFile?: string;
  // 'ignore': stdin is /dev/null (for commands that must not wait on it).
  stdin?: 'ignore';
  timeoutMs?: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  // Hint printed when the tool is missing.
  installHint?: string;
}

// Runs an external program and returns its output whatever the exit status; a missing program
// becomes a ToolMissingError (with how to install it), never a stack trace.
export async function runTool(
  cmd: string,
  args: string[],
  options: RunToolOptions = {},
): Promise<ToolResult> {
  const result = await execa(cmd, args, {
    reject: false,
    input: options.input,
    ...(options.stdin ? { stdin: options.stdin } : {}),
    inputFile: options.inputFile,
    timeout: options.timeoutMs,
    cancelSignal: options.signal,
    env: options.env,
    stripFinalNewline: true,
  });
  if (result.code === 'ENOENT') {
    throw new ToolMissingError(
      cmd,
      options.installHint ?? `install ${cmd} (see harness/setup/apt-packages.txt)`,
    );
  }
  return {
    exitCode: result.exitCode ?? (result.isCanceled ? 130 : 1),
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? result.message ?? ''),
  };
}

// Runs a program that must succeed; a failure is an infrastructure failure naming the command and
// the last lines it printed.
export async function runToolOk(
  cmd: string,
  args: string[],
  options: RunToolOptions & { what?: string; hint?: string } = {},
): Promise<string> {
  const result = await runTool(cmd, args, options);
  if (result.exitCode !== 0) {
    const tail = lastLines(result.stderr || result.stdout, 6);
    const what = options.what ?? `${cmd} ${args.slice(0, 3).join(' ')}`;
    throw new InfrastructureError(`${what} failed (exit ${result.exitCode}): ${tail}`, {
      hint: options.hint,
    });
  }
  return result.stdout;
}

export function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n');
}
