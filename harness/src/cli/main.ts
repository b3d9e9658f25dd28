import { Command, CommanderError } from 'commander';
import { EXIT_INTERRUPTED, EXIT_USAGE, isKvError } from '../contracts/errors.ts';
import { formatForTerminal } from '../contracts/safe-text.ts';
import { createEnvRedactor } from '../host/secret-env.ts';
import { commandNamed, registerCommands } from './commands/index.ts';

// Builds the `kvmatrix` program. Each subcommand lives in its own file under ./commands and is
// listed in ./commands/index.ts; only the one `command` names is loaded in full ('all': every
// one, for tests that walk the program). Every command, however deep, throws its parse errors
// (unknown flag, missing argument or value, a required option left out) instead of exiting, so
// that `main` maps all of them to the one usage status.
export async function buildProgram(command = 'all'): Promise<Command> {
  const program = new Command('kvmatrix')
    .description(
      'CI matrix test harness for Kubernetes deployment code.\n' +
        'matrix -> plan -> GitLab pipeline / run -> results -> reports',
    )
    .version(process.env.npm_package_version ?? '0.1.0');
  await registerCommands(program, command);
  for (const command of allCommands(program)) {
    command
      .exitOverride()
      .showHelpAfterError('(run with --help for usage)')
      .configureOutput({ outputError: (str, write) => write(safeText(str)) });
  }
  return program;
}

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap((sub) => allCommands(sub))];
}

// Runs the CLI and returns the exit status; never lets a stack trace reach the user unless
// KVMATRIX_DEBUG is set.
export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(commandNamed(argv) ?? '');
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportError(error);
  }
}

// Everything the error printer writes goes through here: secrets masked, control characters
// escaped, long lines and long messages cut.
function safeText(text: string): string {
  const trailingNewline = text.endsWith('\n');
  const out = formatForTerminal(createEnvRedactor()(trailingNewline ? text.slice(0, -1) : text));
  return trailingNewline ? `${out}\n` : out;
}

function write(line: string, options?: { maxLines?: number }): void {
  process.stderr.write(`${formatForTerminal(createEnvRedactor()(line), options)}\n`);
}

export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version exit with 0; commander already printed the usage error.
    return error.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  const debug = Boolean(process.env.KVMATRIX_DEBUG);
  if (isKvError(error)) {
    write(`kvmatrix: error: ${error.message}`);
    if (error.hint) write(`  hint: ${error.hint}`);
    if (debug && error.cause) write(`  cause: ${describeCause(error.cause)}`, { maxLines: 200 });
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  write(`kvmatrix: internal error: ${message}`);
  write('  hint: this is a bug in kvmatrix; rerun with KVMATRIX_DEBUG=1 and file an issue');
  if (debug && error instanceof Error && error.stack) write(error.stack, { maxLines: 200 });
  return error instanceof Error && error.name === 'AbortError' ? EXIT_INTERRUPTED : EXIT_USAGE;
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.stack ?? `${cause.name}: ${cause.message}`;
  return String(cause);
}
