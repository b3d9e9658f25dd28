import path from 'node:path';
import type { Command } from 'commander';
import { KvError } from '../../contracts/errors.ts';
import { createProgress } from '../../host/progress.ts';
import { onTerminationSignals } from '../../host/termination.ts';
import { readMatrix } from '../../matrix/read-matrix.ts';
import { resolveCellByName } from '../../matrix/resolve-cell.ts';
import { selectProvider } from '../../providers/select-provider.ts';
import { writeCellReports } from '../../report/io/write-cell-reports.ts';
import { machineSpecsOf } from '../../run/cell-machines.ts';
import { exitCodeFor } from '../../run/cell-record.ts';
import { executeCell } from '../../run/execute-cell.ts';
import { loadRunState } from '../../run/run-state.ts';

interface RunFlags {
  provider: string;
  keep: boolean;
  fromStep?: string;
  artifacts: string;
  matrix?: string;
}

// `kvmatrix run <cell>`: the command a GitLab job runs and a developer types.
export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description(
      'run one matrix cell end to end: machines up, scenario steps with checks, reports, machines down',
    )
    .argument('<cell>', 'cell name (see `kvmatrix matrix list --tier local`)')
    .option('-p, --provider <name>', 'podman, qemu, kubevirt or auto (the fastest that works here)', 'auto')
    .option('--keep', 'keep the machines after the run (for `kvmatrix ssh` and `--from-step`)', false)
    .option(
      '--from-step <step>',
      'rerun from this step against machines kept by an earlier --keep run ("failed" = the step that failed)',
    )
    .option(
      '-a, --artifacts <dir>',
      'where junit.xml, result.json, summary.md, logs and dumps go',
      'artifacts',
    )
    .option('-m, --matrix <file>', 'matrix file (default: matrix/matrix.yaml)')
    .addHelpText(
      'after',
      '\nExit status: 0 passed; 1 product failure (a playbook or a check); 2 usage; 3 infrastructure failure (the only one CI retries); 130 interrupted.',
    )
    .action(async (cellName: string, flags: RunFlags) => {
      process.exitCode = await runCommand(cellName, flags);
    });
}

async function runCommand(cellName: string, flags: RunFlags): Promise<number> {
  const cell = resolveCellByName(await readMatrix(flags.matrix), cellName);
  const kept = await loadRunState(cell.name);
  if (kept && !flags.fromStep) {
    throw new KvError(
      'USAGE',
      `cell ${cell.name} still has machines from run ${kept.id.runId} (${kept.provider})`,
      {
        hint: `rerun a step with --from-step, or tear them down: kvmatrix down ${cell.name}`,
      },
    );
  }
  const machines = machineSpecsOf(cell);
  const choice = await selectProvider(kept?.provider ?? flags.provider, machines);
  const progress = createProgress();
  progress.info(
    `cell ${cell.name}: ${cell.steps.length} step(s) on ${machines.length} machine(s); ${choice.message}`,
  );
  const controller = new AbortController();
  const release = onTerminationSignals((name) => {
    progress.info(
      `received ${name}: stopping the current step and tearing down (send it again to exit at once)`,
    );
    controller.abort(new KvError('INTERRUPTED', `interrupted by ${name}`));
  });
  const artifactsOut = path.resolve(flags.artifacts);
  try {
    const record = await executeCell({
      cell,
      provider: choice.provider,
      keep: flags.keep,
      ...(flags.fromStep ? { fromStep: flags.fromStep } : {}),
      artifactsOut,
      signal: controller.signal,
      progress,
    });
    await writeCellReports(artifactsOut, record);
    const code = exitCodeFor(record.outcome);
    progress.close();
    process.stderr.write(
      `${record.cell}: ${record.outcome} in ${Math.round(record.durationMs / 1000)}s; reports in ${path.relative(process.cwd(), artifactsOut) || '.'}/ (exit ${code})\n`,
    );
    return code;
  } finally {
    release();
    progress.close();
  }
}
