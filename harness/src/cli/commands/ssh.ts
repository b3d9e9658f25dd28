import type { Command } from 'commander';
import { execa } from 'execa';
import { KvError } from '../../contracts/errors.ts';
import { sshArgs } from '../../host/ssh.ts';
import { sshTargetOf } from '../../providers/provider.ts';
import { requireRunState } from '../../run/run-state.ts';

// `kvmatrix ssh <cell> [node] [-- command]`: a shell (or one command) on a kept machine.
export function registerSshCommand(program: Command): void {
  program
    .command('ssh')
    .description('open a shell, or run a command, on a machine kept by `kvmatrix run --keep`')
    .argument('<cell>', 'cell name')
    .argument('[node]', 'machine name (default: the first machine of the layout)')
    .argument('[command...]', 'command to run instead of a shell (after --)')
    .action(async (cell: string, node: string | undefined, command: string[]) => {
      const state = await requireRunState(cell);
      const machine = node ? state.machines.find((m) => m.name === node) : state.machines[0];
      if (!machine) {
        throw new KvError('NOT_FOUND', `cell ${cell} has no machine "${node}"`, {
          hint: `machines: ${state.machines.map((m) => m.name).join(', ')}`,
        });
      }
      const interactive = command.length === 0;
      const r = await execa('ssh', sshArgs(sshTargetOf(machine), command, interactive ? ['-t'] : []), {
        stdio: 'inherit',
        reject: false,
      });
      process.exitCode = r.exitCode ?? 1;
    });
}
