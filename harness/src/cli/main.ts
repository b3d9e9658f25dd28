import { Command, CommanderError } from 'commander';
import { EXIT_INTERRUPTED, EXIT_USAGE, isKvError } from '../contracts/errors.ts';
import { registerCommands } from './commands/index.ts';

// Builds the `kvmatrix` program. Each subcommand lives in its own file under ./commands and is
// registered in ./commands/index.ts.
export function buildProgram(): Command {
  const program = new Command('kvmatrix')
    .description(
      'CI matrix test harness for Kubernetes deployment code.\n' +
        'matrix -> plan -> GitLab pipeline / run -> results -> reports',
    )
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (str, write) => write(str) });
  registerCommands(program);
  return program;
}

// Runs the CLI and returns the exit status; never lets a stack trace reach the user unless
// KVMATRIX_DEBUG is set.
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportError(error);
  }
}

export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version exit with 0; commander already printed the usage error.
    return error.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (isKvError(error)) {
    process.stderr.write(`kvmatrix: error: ${error.message}\n`);
    if (error.hint) process.stderr.write(`  hint: ${error.hint}\n`);
    if (process.env.KVMATRIX_DEBUG && error.cause) process.stderr.write(`  cause: ${String(error.cause)}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`kvmatrix: internal error: ${message}\n`);
  process.stderr.write('  hint: this is a bug in kvmatrix; rerun with KVMATRIX_DEBUG=1 and file an issue\n');
  if (process.env.KVMATRIX_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return error instanceof Error && error.name === 'AbortError' ? EXIT_INTERRUPTED : EXIT_USAGE;
}
