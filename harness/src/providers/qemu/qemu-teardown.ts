import { removeRunNetwork } from './qemu-network.ts';
import { findQemuProcesses, stopProcesses } from './vm-process.ts';

// Stops every QEMU process of the run and removes its network; idempotent. Shared by `down` and
// `reap` (which also release the run's state and host sysctls).
export async function removeQemuRun(runId: string): Promise<string[]> {
  const processes = await findQemuProcesses(runId);
  await stopProcesses(processes.map((p) => p.pid));
  const removed = processes.map((p) => `qemu pid ${p.pid} (${p.machine})`);
  removed.push(...(await removeRunNetwork(runId)));
  return removed;
}
