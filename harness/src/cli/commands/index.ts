import type { Command } from 'commander';
import { registerLintCommand } from './lint.ts';
import { registerMatrixCommand } from './matrix.ts';

// The one place that lists the subcommands; each lives in a file of its own beside this one.
// Keep one import and one line per command so that parallel work merges cleanly.
const registrations: Array<(program: Command) => void> = [registerMatrixCommand, registerLintCommand];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
