import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { EXIT_USAGE } from '../contracts/errors.ts';
import { runCli } from './commands/capture-output.ts';
import { buildProgram } from './main.ts';

// Every parse error of every subcommand exits with the usage status (2), which CI reads as
// "fix the invocation", never as a product failure (1). The commands are walked from the
// program itself, so a new subcommand is covered without touching this file. Each case fails in
// commander's parsing, before any action runs.
interface Leaf {
  path: string[];
  command: Command;
}

function leaves(command: Command, path: string[] = []): Leaf[] {
  const subs = command.commands.filter((c) => c.name() !== 'help');
  if (subs.length === 0) return [{ path, command }];
  return subs.flatMap((sub) => leaves(sub, [...path, sub.name()]));
}

const all = leaves(await buildProgram());

// Placeholder values for a command's required options, so that the case under test is the one
// commander reports (it checks required options first).
function mandatoryFlags(command: Command): string[] {
  return command.options.filter((o) => o.mandatory).flatMap((o) => [o.long ?? '', 'x']);
}

describe('usage errors of every subcommand', () => {
  it('covers the subcommands of the program (more than a dozen)', () => {
    expect(all.length).toBeGreaterThan(12);
  });

  it.each(all.map((l) => [l.path.join(' '), l] as const))('%s: an unknown flag exits 2', async (_, leaf) => {
    const { code, stderr } = await runCli([
      ...leaf.path,
      ...mandatoryFlags(leaf.command),
      '--no-such-flag-kvmatrix',
    ]);
    expect(code).toBe(EXIT_USAGE);
    expect(stderr).toContain("unknown option '--no-such-flag-kvmatrix'");
  });

  const needsArgument = all.filter((l) => l.command.registeredArguments.some((a) => a.required));
  it.each(needsArgument.map((l) => [l.path.join(' '), l] as const))(
    '%s: a missing argument exits 2',
    async (_, leaf) => {
      const { code, stderr } = await runCli([...leaf.path, ...mandatoryFlags(leaf.command)]);
      expect(code).toBe(EXIT_USAGE);
      expect(stderr).toMatch(/missing required argument/);
    },
  );

  const withValue = all.flatMap((l) =>
    l.command.options
      .filter((o) => o.required && o.long)
      .map((o) => [`${l.path.join(' ')} ${o.long}`, l.path, o.long as string] as const),
  );
  it.each(withValue)('%s without its value exits 2', async (_, path, flag) => {
    const { code, stderr } = await runCli([...path, flag]);
    expect(code).toBe(EXIT_USAGE);
    expect(stderr).toMatch(/argument missing|not specified/);
  });

  const mandatory = all.filter((l) => l.command.options.some((o) => o.mandatory));
  it.each(mandatory.map((l) => [l.path.join(' '), l] as const))(
    '%s: a required option left out exits 2',
    async (_, leaf) => {
      const { code, stderr } = await runCli(leaf.path);
      expect(code).toBe(EXIT_USAGE);
      expect(stderr).toMatch(/required option '.*' not specified/);
    },
  );

  it('gate without --tier exits 2 (the case the issue names)', async () => {
    const { code } = await runCli(['gate']);
    expect(code).toBe(EXIT_USAGE);
  });

  it('escapes control characters commander echoes back from the command line', async () => {
    const { code, stderr } = await runCli(['matrix', 'list', '--\u001b[31mred']);
    expect(code).toBe(EXIT_USAGE);
    expect(stderr).not.toContain('\u001b');
    expect(stderr).toContain('\\e[31mred');
  });
});
