import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../main.ts';
import { commandEntries, commandNamed } from './index.ts';

describe('the lazily loaded command list', () => {
  it.each(commandEntries.map((e) => [e.name, e] as const))(
    '%s: its module registers exactly that command',
    async (name, entry) => {
      const program = new Command('kvmatrix');
      (await entry.load())(program);
      expect(program.commands.map((c) => c.name())).toEqual([name]);
    },
  );

  it('loads only the command the arguments name; the others are stubs without options', async () => {
    const program = await buildProgram('run');
    const run = program.commands.find((c) => c.name() === 'run');
    expect(run?.options.map((o) => o.long)).toContain('--matrix');
    const stubs = program.commands.filter((c) => c.name() !== 'run' && c.name() !== 'help');
    expect(stubs.length).toBe(commandEntries.length - 1);
    for (const stub of stubs) expect(stub.options, stub.name()).toEqual([]);
  });

  it('lists every command with its summary in the top-level help without loading any', async () => {
    const program = await buildProgram('');
    const help = program.helpInformation();
    for (const entry of commandEntries) expect(help).toContain(entry.name);
    expect(program.commands.every((c) => c.options.length === 0)).toBe(true);
  });

  it('reads the command from the first word that is not an option, or the word after help', () => {
    expect(commandNamed(['--help'])).toBeUndefined();
    expect(commandNamed(['run', 'cell-a', '--keep'])).toBe('run');
    expect(commandNamed(['help', 'select'])).toBe('select');
    expect(commandNamed(['--version'])).toBeUndefined();
  });
});
