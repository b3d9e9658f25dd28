import type { Command } from 'commander';
import { UsageError } from '../../contracts/errors.ts';
import { checkPathName } from '../../host/path-name.ts';
import { createLineProgress } from '../../host/progress.ts';
import { createProvider, providerNames } from '../../providers/registry.ts';

// Parses 90s, 30m, 3h, 2d into milliseconds.
export function parseDuration(text: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  if (!match)
    throw new UsageError(`--older-than "${text}" is not valid: expected a number and s, m, h or d (3h)`);
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

async function reap(options: {
  olderThan?: string;
  provider?: string[];
  run?: string;
  includeKept?: boolean;
}): Promise<void> {
  const olderThanMs = options.olderThan ? parseDuration(options.olderThan) : undefined;
  if (options.run) checkPathName(options.run, 'run id');
  const names = options.provider?.length ? options.provider : providerNames();
  const log = createLineProgress('reap');
  let failures = 0;
  for (const name of names) {
    const provider = await createProvider(name);
    try {
      const report = await provider.reap({
        ...(olderThanMs !== undefined ? { olderThanMs } : {}),
        ...(options.run ? { runId: options.run } : {}),
        ...(options.includeKept ? { includeKept: true } : {}),
      });
      for (const item of report.removed) process.stdout.write(`removed ${name}: ${item}\n`);
      for (const item of report.kept) process.stdout.write(`kept ${name}: ${item}\n`);
      log(`${name}: removed ${report.removed.length}, kept ${report.kept.length}`);
    } catch (error) {
      failures += 1;
      log(`${name}: ${(error as Error).message}`);
    }
  }
  if (failures > 0) process.exitCode = 3;
}

// `kvmatrix reap`: removes what dead runs left behind, provider by provider.
export function registerReapCommand(program: Command): void {
  program
    .command('reap')
    .description('remove machines, networks and files that dead runs left behind')
    .option('--older-than <age>', 'only runs created at least this long ago (e.g. 3h)')
    .option('--provider <name...>', `only these providers (${providerNames().join(', ')})`)
    .option('--run <id>', 'only this run id (removed even if its harness is alive or it was kept)')
    .option('--include-kept', 'also remove runs left on purpose by `kvmatrix run --keep`')
    .action(reap);
}
