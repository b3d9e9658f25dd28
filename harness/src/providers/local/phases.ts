import type { PhaseTiming } from '../../contracts/result-record.ts';

// Runs one phase of `up` and records how long it took (for the result record and the bench).
export async function timePhase<T>(
  phases: PhaseTiming[],
  phase: string,
  fn: () => Promise<T>,
  machine?: string,
): Promise<T> {
  const started = new Date();
  try {
    return await fn();
  } finally {
    phases.push({
      phase,
      ...(machine ? { machine } : {}),
      startedAt: started.toISOString(),
      durationMs: Date.now() - started.getTime(),
    });
  }
}
