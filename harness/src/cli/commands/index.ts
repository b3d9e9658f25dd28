import type { Command } from 'commander';
import { registerOperatorCommand } from './operator.ts';

// The one place that lists the subcommands; each lives in a file of its own beside this one.
// Keep one import and one line per command so that parallel work merges cleanly.
const registrations: Array<(program: Command) => void> = [registerOperatorCommand];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
