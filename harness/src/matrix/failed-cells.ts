import type { FlakeHistory } from '../contracts/flake-history.ts';

// The cells whose latest run in the flake history was a product failure, most recent first:
// what a `failed` seed puts at the start of a covering set. Pure.
export function lastRunFailed(history: FlakeHistory): string[] {
  const latest: Array<{ cell: string; at: string }> = [];
  for (const [cell, byCommit] of Object.entries(history.cells)) {
    let last: { outcome: string; finishedAt: string } | undefined;
    for (const runs of Object.values(byCommit)) {
      for (const run of runs) if (!last || run.finishedAt > last.finishedAt) last = run;
    }
    if (last?.outcome === 'failed') latest.push({ cell, at: last.finishedAt });
  }
  return latest.sort((a, b) => b.at.localeCompare(a.at) || a.cell.localeCompare(b.cell)).map((l) => l.cell);
}
