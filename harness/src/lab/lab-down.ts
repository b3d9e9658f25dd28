import { execa } from 'execa';
import { createProvider } from '../providers/registry.ts';
import { loadRunState, removeRunState } from '../run/run-state.ts';
import { stopLabMirror } from './lab-mirror.ts';
import { readLabState, removeLabState } from './lab-state.ts';

// `kvmatrix lab down`: the host routes, the lab's mirror, then the kept deploy cell's machines
// (as `kvmatrix down <cell>` does). Idempotent: what is already gone is skipped.
export async function labDown(log: (line: string) => void): Promise<boolean> {
  const state = await readLabState();
  if (!state) return false;
  for (const cidr of state.routes) {
    await execa('ip', ['route', 'del', cidr], { reject: false });
  }
  await stopLabMirror(state.mirrorPid);
  const run = await loadRunState(state.cell);
  if (run) {
    const provider = await createProvider(run.provider);
    await provider.down(run.id, run.providerStateDir);
    await removeRunState(state.cell);
    log(`tore down ${state.cell} (${run.provider}, run ${run.id.runId})`);
  }
  await removeLabState();
  return true;
}
