import { isOwnerAlive } from '../../host/labels.ts';
import type { ReapOptions } from '../provider.ts';

export interface ReapCandidate {
  provider: string;
  runId: string;
  // The pid of the harness that made the run (container label or run index).
  owner?: string;
  createdAtMs?: number;
  // Left on purpose by `kvmatrix run --keep` (run index).
  kept?: boolean;
}

// Why `reap` leaves a run alone, or undefined when it is to be removed. A run whose harness is
// alive is in progress; a kept run waits for `kvmatrix down` (or --include-kept); naming a run id
// reaps it regardless of both. --older-than always applies.
export function reasonToKeep(
  run: ReapCandidate,
  options: ReapOptions,
  now: number = Date.now(),
): string | undefined {
  const what = `${run.provider} run ${run.runId}`;
  if (!options.runId && isOwnerAlive(run.owner)) return `${what} (its harness, pid ${run.owner}, is alive)`;
  if (!options.runId && run.kept && !options.includeKept) {
    return `${what} (kept by \`kvmatrix run --keep\`: \`kvmatrix down <cell>\`, \`kvmatrix reap --run ${run.runId}\` or --include-kept removes it)`;
  }
  if (options.olderThanMs && run.createdAtMs !== undefined && now - run.createdAtMs < options.olderThanMs) {
    return `${what} (created ${new Date(run.createdAtMs).toISOString()})`;
  }
  return undefined;
}
