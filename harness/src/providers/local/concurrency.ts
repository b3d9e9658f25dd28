import { availableParallelism, freemem } from 'node:os';

// How many machines to start at once: bounded by cores (start-up is CPU-bound) and by the memory
// free now (each machine needs `perMachineMiB`); at least one.
export function startConcurrency(machines: number, perMachineMiB: number, perCore = 1): number {
  const byCores = Math.max(1, availableParallelism() * perCore);
  const byMemory = Math.max(1, Math.floor(freemem() / (perMachineMiB * 2 ** 20)));
  return Math.max(1, Math.min(machines, byCores, byMemory));
}
