import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PhaseTiming } from '../../contracts/result-record.ts';
import { assertMachineName, assertRunId } from '../../host/labels.ts';
import { removeRunIndex, writeRunIndex } from '../../host/run-index.ts';
import type { Machine, Provider, UpRequest, UpResult } from '../provider.ts';
import { registerRunSysctls, releaseRunSysctls } from './host-sysctls.ts';
import { wrapUpFailure } from './up-failure.ts';

// `up` of a provider whose machines live on this host. The run is recorded (state dir 0700, the
// host's run index, the host sysctl registration) before `createMachines` makes anything, so that
// `reap` finds it after a SIGKILL; on any failure `provider.down` runs before the wrapped error is
// thrown, so a failed `up` leaves nothing behind. The machines are kept in `machines.json`.
export async function upLocalRun(
  provider: Pick<Provider, 'name' | 'down'>,
  request: UpRequest,
  createMachines: (phases: PhaseTiming[]) => Promise<{ machines: Machine[]; artifactHost: string }>,
): Promise<UpResult> {
  const { id, stateDir } = request;
  assertRunId(id.runId);
  for (const m of request.machines) assertMachineName(m.name);
  const phases: PhaseTiming[] = [];
  try {
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await writeRunIndex({
      id,
      provider: provider.name,
      stateDir,
      createdAt: new Date().toISOString(),
      pid: process.pid,
    });
    await registerRunSysctls(id.runId, provider.name);
    const { machines, artifactHost } = await createMachines(phases);
    await writeFile(path.join(stateDir, 'machines.json'), `${JSON.stringify(machines, null, 2)}\n`);
    return { machines, phases, artifactHost };
  } catch (error) {
    await provider.down(id, stateDir).catch(() => {});
    throw wrapUpFailure(error, provider.name, stateDir);
  }
}

// What `down` and `reap` of a local run do once its machines and networks are gone: remove the
// state dir (when known), release the host sysctls, and drop the run's index entry last, so that a
// crash in between leaves the run findable. Idempotent; returns what it removed or restored.
export async function releaseLocalRun(runId: string, stateDir: string | undefined): Promise<string[]> {
  const removed: string[] = [];
  if (stateDir !== undefined) {
    await rm(stateDir, { recursive: true, force: true });
    removed.push(`state dir ${stateDir}`);
  }
  removed.push(...(await releaseRunSysctls(runId)).map((r) => `host sysctl ${r}`));
  await removeRunIndex(runId);
  return removed;
}
