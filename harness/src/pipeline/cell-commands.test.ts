import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../cli/main.ts';
import { CELL_SCRIPT, CELL_TEARDOWN } from './render-child-pipeline.ts';

// The generated jobs call the CLI; a renamed option would only show in GitLab (and the teardown's
// `|| true` would hide it). So every `npx kvmatrix <command> ... --flag` in the job scripts must
// name a command and options the CLI really has.
function invocations(lines: string[]): Array<{ path: string[]; flags: string[] }> {
  return lines.map((line) => {
    const words = line.split('||')[0]?.trim().split(/\s+/) ?? [];
    expect(words.slice(0, 2)).toEqual(['npx', 'kvmatrix']);
    const rest = words.slice(2);
    return {
      path: rest.filter((w) => /^[a-z]+$/.test(w)).slice(0, 1),
      flags: rest.filter((w) => w.startsWith('--')),
    };
  });
}

function findCommand(program: Command, name: string): Command | undefined {
  return program.commands.find((c) => c.name() === name);
}

const program = await buildProgram();

describe('the commands the generated cell jobs run', () => {
  for (const { path, flags } of invocations([...CELL_SCRIPT, ...CELL_TEARDOWN])) {
    it(`kvmatrix ${path.join(' ')} ${flags.join(' ')} exists`, () => {
      const command = findCommand(program, path[0] ?? '');
      expect(command, `kvmatrix ${path[0]}`).toBeDefined();
      const known = command?.options.map((o) => o.long) ?? [];
      for (const flag of flags) expect(known, `kvmatrix ${path[0]} ${flag}`).toContain(flag);
    });
  }
});
