import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import type { ResultRecord } from '../contracts/result-record.ts';
import type { Progress } from '../host/progress.ts';
import type { ResolvedCell } from '../matrix/model.ts';
import type { Provider } from '../providers/provider.ts';
import { writeCellReports } from '../report/io/write-cell-reports.ts';
import { executeCell } from '../run/execute-cell.ts';
import { type GateResult, judgeGate } from './judge-gate.ts';

// How many cells may run at once here: each cell's machines need their memory, and a cell
// deploying Kubernetes keeps about two cores busy. Never less than one.
export function gateConcurrency(
  cells: ResolvedCell[],
  cores = cpus().length,
  memoryMiB = totalmem() / 2 ** 20,
): number {
  const widest = Math.max(1, ...cells.map((c) => c.layout.nodes.length * c.machine.memoryMiB));
  return Math.max(1, Math.min(Math.floor(cores / 2), Math.floor((memoryMiB * 0.75) / widest)));
}

export interface GateOptions {
  tier: string;
  cells: ResolvedCell[];
  provider: Provider;
  concurrency: number;
  outDir: string;
  signal: AbortSignal;
  progress: Progress;
  now: () => Date;
}

// Runs every cell of a tier (bounded by the machine's capacity), then judges the gate on their
// records. Cells run in the order given; a cell that was interrupted before it started has no
// record and is reported missing.
export async function runGate(opts: GateOptions): Promise<GateResult> {
  const limit = pLimit(opts.concurrency);
  const records: ResultRecord[] = [];
  await Promise.all(
    opts.cells.map((cell) =>
      limit(async () => {
        if (opts.signal.aborted) return;
        opts.progress.info(`gate ${opts.tier}: ${cell.name}`);
        const artifactsOut = path.join(opts.outDir, 'cells', cell.name);
        const record = await executeCell({
          cell,
          provider: opts.provider,
          keep: false,
          artifactsOut,
          signal: opts.signal,
          progress: opts.progress,
        });
        await writeCellReports(artifactsOut, record);
        records.push(record);
        opts.progress.info(`gate ${opts.tier}: ${cell.name}: ${record.outcome}`);
      }),
    ),
  );
  return judgeGate({
    tier: opts.tier,
    cells: opts.cells,
    records,
    provider: opts.provider.name,
    outDir: opts.outDir,
    now: opts.now,
  });
}
