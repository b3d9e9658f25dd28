import type { Command } from 'commander';
import { createProvider } from '../../providers/registry.ts';
import { loadRunState, removeRunState } from '../../run/run-state.ts';

// `kvmatrix down <cell>`: tear down what a kept (or killed) run of this cell left. Idempotent, so
// a pipeline's after_script can always call it.
export function registerDownCommand(program: Command): void {
  program
    .command('down')
    .description(
      'tear down the machines of a cell kept by `kvmatrix run --keep` (or left by a killed run); idempotent',
    )
    .argument('<cell>', 'cell name')
    .action(async (cell: string) => {
      const state = await loadRunState(cell);
      if (!state) {
        process.stderr.write(`kvmatrix: nothing to tear down for ${cell}\n`);
        return;
      }
      const provider = await createProvider(state.provider);
      await provider.down(state.id, state.providerStateDir);
      await removeRunState(cell);
      process.stderr.write(`kvmatrix: tore down ${cell} (${state.provider}, run ${state.id.runId})\n`);
    });
}
