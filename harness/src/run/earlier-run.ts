import { KvError } from '../contracts/errors.ts';
import { isOwnerAlive } from '../host/labels.ts';
import type { Progress } from '../host/progress.ts';
import { createProvider } from '../providers/registry.ts';
import { loadRunState, type RunState, removeRunState } from './run-state.ts';

// Refuses a run state whose harness process is still alive (a fresh run or a --from-step alike).
export function assertNotRunning(state: RunState): void {
  if (state.pid === undefined || !isOwnerAlive(String(state.pid))) return;
  throw new KvError(
    'USAGE',
    `cell ${state.cell} is already running on this host (pid ${state.pid}, run ${state.id.runId}, ${state.provider})`,
    {
      hint: 'wait for it or stop it: one run of a cell at a time per host (its machines are found by the cell name)',
    },
  );
}

// A cell's run state is how `kvmatrix ssh`, `down` and `--from-step` find its machines, so one
// run of a cell at a time per host. Before a fresh run: a run still in progress or machines kept
// on purpose stop it with the command that resolves it; what a killed run left is torn down.
export async function clearEarlierRun(cell: string, progress: Progress): Promise<void> {
  const state = await loadRunState(cell);
  if (!state) return;
  const earlier = `run ${state.id.runId}, ${state.provider}`;
  if (state.pid !== undefined && isOwnerAlive(String(state.pid))) {
    throw new KvError(
      'USAGE',
      `cell ${cell} is already running on this host (pid ${state.pid}, ${earlier})`,
      {
        hint: 'wait for it or stop it: one run of a cell at a time per host (its machines are found by the cell name)',
      },
    );
  }
  if (state.kept) {
    throw new KvError('USAGE', `cell ${cell} has machines kept by an earlier run (${earlier})`, {
      hint: `\`kvmatrix down ${cell}\` removes them; \`kvmatrix run ${cell} --from-step <step>\` reuses them`,
    });
  }
  progress.begin(`tear down what an earlier, killed run of ${cell} left (${earlier})`);
  const started = Date.now();
  const provider = await createProvider(state.provider);
  await provider.down(state.id, state.providerStateDir);
  await removeRunState(cell);
  progress.end(
    `tear down what an earlier, killed run of ${cell} left (${earlier})`,
    'passed',
    Date.now() - started,
  );
}
