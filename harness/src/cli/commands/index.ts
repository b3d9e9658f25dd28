import type { Command } from 'commander';
import { registerArtifactsCommand } from './artifacts.ts';
import { registerCiImageCommand } from './ci-image.ts';
import { registerConformanceCommand } from './conformance.ts';
import { registerDownCommand } from './down.ts';
import { registerGateCommand } from './gate.ts';
import { registerGenerateCommand } from './generate.ts';
import { registerImagesCommand } from './images.ts';
import { registerLintCommand } from './lint.ts';
import { registerMatrixCommand } from './matrix.ts';
import { registerOperatorCommand } from './operator.ts';
import { registerReapCommand } from './reap.ts';
import { registerReportCommand } from './report.ts';
import { registerRunCommand } from './run.ts';
import { registerSelectCommand } from './select.ts';
import { registerSshCommand } from './ssh.ts';
import { registerTestbedCommand } from './testbed.ts';
import { registerVmsCommand } from './vms.ts';

// The one place that lists the subcommands; each lives in a file of its own beside this one.
// Keep one import and one line per command so that parallel work merges cleanly.
// biome-ignore format: one line per command keeps parallel additions from conflicting
const registrations: Array<(program: Command) => void> = [
  registerMatrixCommand,
  registerLintCommand,
  registerSelectCommand,
  registerGenerateCommand,
  registerOperatorCommand,
  registerReportCommand,
  registerVmsCommand,
  registerReapCommand,
  registerImagesCommand,
  registerArtifactsCommand,
  registerTestbedCommand,
  registerRunCommand,
  registerSshCommand,
  registerDownCommand,
  registerGateCommand,
  registerConformanceCommand,
  registerCiImageCommand,
];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
