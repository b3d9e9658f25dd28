import path from 'node:path';
import type { Command } from 'commander';
import { listChangedFiles } from '../../git/changed-files.ts';
import { writeFilesAtomically } from '../../host/write-files-atomically.ts';
import { createPlaybookImpact } from '../../matrix/playbook-impact.ts';
import { defaultMatrixFile, readMatrix } from '../../matrix/read-matrix.ts';
import { generatePipelines } from '../../pipeline/generate-pipelines.ts';
import {
  HISTORY_OPTION_HELP,
  PREVIOUS_PLAN_OPTION_HELP,
  readDeploymentCode,
  readSelectContext,
} from './select-context.ts';

interface GenerateOptions {
  tier: string;
  out: string;
  matrix: string;
  changedFrom?: string;
  history?: string;
  previousPlan?: string;
}

// `kvmatrix generate`: the child pipelines the parent .gitlab-ci.yml triggers. Everything is
// rendered in memory first; files are written only when all of them rendered, and atomically.
export function registerGenerateCommand(program: Command): void {
  program
    .command('generate')
    .description(
      'write the GitLab child pipelines of a tier (shard-1.yml ... shard-N.yml and plan.json) ' +
        'into a folder and print their paths',
    )
    .requiredOption('--tier <tier>', 'the tier to generate (pr, nightly, release, ...)')
    .requiredOption('--out <dir>', 'the folder to write into (created if missing)')
    .option('--changed-from <ref>', 'narrow the tier to the cells the files changed since <ref> can affect')
    .option('--matrix <file>', 'the matrix file', defaultMatrixFile())
    .option('--history <file>', HISTORY_OPTION_HELP)
    .option('--previous-plan <file>', PREVIOUS_PLAN_OPTION_HELP)
    .action(async (options: GenerateOptions) => {
      const matrix = await readMatrix(options.matrix);
      const changedFiles = options.changedFrom
        ? await listChangedFiles(options.changedFrom, path.dirname(path.resolve(options.matrix)))
        : undefined;
      const generated = generatePipelines(matrix, {
        tierId: options.tier,
        context: await readSelectContext(options.history, options.previousPlan),
        ...(changedFiles
          ? { derived: createPlaybookImpact(matrix, await readDeploymentCode(options.matrix)) }
          : {}),
        ...(changedFiles ? { changedFiles } : {}),
      });
      const written = await writeFilesAtomically(options.out, generated.files);
      for (const reason of generated.reasons) process.stderr.write(`kvmatrix: ${reason}\n`);
      process.stdout.write(`${written.join('\n')}\n`);
    });
}
