import type { Command } from 'commander';
import { registerImagesCommand } from './images.ts';
import { registerReapCommand } from './reap.ts';
import { registerVmsCommand } from './vms.ts';

// The one place that lists the subcommands; each lives in a file of its own beside this one.
// Keep one import and one line per command so that parallel work merges cleanly.
const registrations: Array<(program: Command) => void> = [
  // one line per command
  registerVmsCommand,
  registerReapCommand,
  registerImagesCommand,
];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
