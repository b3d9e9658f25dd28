import { access } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Progress } from '../host/progress.ts';
import { useScratchDir } from '../host/test/scratch-dir.ts';
import { clearEarlierRun } from './earlier-run.ts';
import { loadRunState, type RunState, runDir, saveRunState } from './run-state.ts';

const quiet: Progress = { info() {}, begin() {}, detail() {}, end() {}, close() {} };
// Beyond the kernel's pid_max: certainly no process.
const DEAD = 4_194_305;

function stateOf(cell: string, extra: Partial<RunState>): RunState {
  return {
    id: { runId: `kvmtest${cell}`, cell },
    provider: 'podman',
    cell,
    providerStateDir: path.join(runDir(cell), 'provider'),
    createdAt: new Date().toISOString(),
    machines: [],
    pending: [],
    completedSteps: [],
    ...extra,
  };
}

// Real run state files in a scratch KVMATRIX_STATE_DIR; the killed run's teardown is the real
// podman provider's `down` of a run that holds nothing.
describe('a fresh run of a cell that has an earlier run state', () => {
  useScratchDir('kvm-earlier-run-', { KVMATRIX_STATE_DIR: '.' });

  it('goes ahead when there is none', async () => {
    await expect(clearEarlierRun('none', quiet)).resolves.toBeUndefined();
  });

  it('refuses while the earlier run is alive', async () => {
    await saveRunState(stateOf('live', { pid: process.ppid }));
    await expect(clearEarlierRun('live', quiet)).rejects.toThrow(/cell live is already running on this host/);
    expect(await loadRunState('live')).toBeDefined();
  });

  it('refuses to replace machines kept on purpose and names the way out', async () => {
    await saveRunState(stateOf('kept', { pid: DEAD, kept: true }));
    await expect(clearEarlierRun('kept', quiet)).rejects.toThrow(/kept by an earlier run/);
    expect(await loadRunState('kept')).toBeDefined();
  });

  it('tears down what a killed run left and removes its state', async () => {
    await saveRunState(stateOf('killed', { pid: DEAD }));
    await clearEarlierRun('killed', quiet);
    expect(await loadRunState('killed')).toBeUndefined();
    await expect(access(runDir('killed'))).rejects.toThrow();
  });
});
