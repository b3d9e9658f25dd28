import path from 'node:path';
import type { Command } from 'commander';
import { KvError, UsageError } from '../../contracts/errors.ts';
import { judgeGate } from '../../gate/judge-gate.ts';
import { gateConcurrency, runGate } from '../../gate/run-gate.ts';
import { createProgress } from '../../host/progress.ts';
import { onTerminationSignals } from '../../host/termination.ts';
import type { ResolvedCell } from '../../matrix/model.ts';
import { readMatrix } from '../../matrix/read-matrix.ts';
import { resolveCell } from '../../matrix/resolve-cell.ts';
import { selectTier } from '../../matrix/select-tier.ts';
import { selectProvider } from '../../providers/select-provider.ts';
import { loadResultRecords } from '../../report/io/load-results.ts';
import { machineSpecsOf } from '../../run/cell-machines.ts';

interface GateFlags {
  tier: string;
  provider: string;
  concurrency?: string;
  out: string;
  matrix?: string;
  results?: string[];
}

// `kvmatrix gate --tier release`: yes or no for a tag, from every cell of the tier.
export function registerGateCommand(program: Command): void {
  program
    .command('gate')
    .description(
      "run every cell of a tier (bounded by this machine's capacity) and write a release report; exit 0 only if all passed",
    )
    .requiredOption('-t, --tier <tier>', 'the tier to gate on (e.g. release)')
    .option('-p, --provider <name>', 'podman, qemu, kubevirt or auto', 'auto')
    .option('-j, --concurrency <n>', 'cells at once (default: from cores and memory)')
    .option('-o, --out <dir>', "where the release report and each cell's artifacts go", 'artifacts/gate')
    .option('-m, --matrix <file>', 'matrix file (default: matrix/matrix.yaml)')
    .option(
      '-r, --results <dir...>',
      'judge result records that already exist (e.g. collected from GitLab child pipelines) instead of running the cells',
    )
    .action(async (flags: GateFlags) => {
      const matrix = await readMatrix(flags.matrix);
      const cells = selectTier(matrix, flags.tier).cells.map((c) => resolveCell(matrix, c));
      if (flags.results) {
        await judgeRecords(flags.tier, cells, flags.results, path.resolve(flags.out));
        return;
      }
      const concurrency = flags.concurrency ? Number(flags.concurrency) : gateConcurrency(cells);
      if (!Number.isInteger(concurrency) || concurrency < 1) {
        throw new UsageError(
          `--concurrency must be a whole number of at least 1, got "${flags.concurrency}"`,
        );
      }
      const machines = cells.flatMap(machineSpecsOf);
      const choice = await selectProvider(flags.provider, machines);
      const progress = createProgress();
      progress.info(
        `gate ${flags.tier}: ${cells.length} cell(s), ${concurrency} at a time; ${choice.message}`,
      );
      const controller = new AbortController();
      const release = onTerminationSignals((name) =>
        controller.abort(new KvError('INTERRUPTED', `interrupted by ${name}`)),
      );
      try {
        const out = path.resolve(flags.out);
        const result = await runGate({
          tier: flags.tier,
          cells,
          provider: choice.provider,
          concurrency,
          outDir: out,
          signal: controller.signal,
          progress,
          now: () => new Date(),
        });
        progress.close();
        process.stderr.write(
          `gate ${flags.tier}: ${result.passed ? 'PASSED' : 'FAILED'}; report: ${path.relative(process.cwd(), path.join(out, 'release-report.md'))}\n`,
        );
        process.exitCode = result.passed ? 0 : 1;
      } finally {
        release();
        progress.close();
      }
    });
}

// The gate over records collected elsewhere (GitLab's release pipeline): the same verdict and
// release report as a local gate, without running anything.
async function judgeRecords(
  tier: string,
  cells: ResolvedCell[],
  patterns: string[],
  out: string,
): Promise<void> {
  const { files, records } = await loadResultRecords(patterns);
  const result = await judgeGate({
    tier,
    cells,
    records,
    provider: 'collected',
    outDir: out,
    now: () => new Date(),
  });
  process.stderr.write(
    `gate ${tier}: ${files.length} record(s) for ${cells.length} planned cell(s): ${result.passed ? 'PASSED' : 'FAILED'}; report: ${path.relative(process.cwd(), path.join(out, 'release-report.md'))}\n`,
  );
  process.exitCode = result.passed ? 0 : 1;
}
