import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../contracts/errors.ts';
import { listChangedFiles } from '../../git/changed-files.ts';
import { createPlaybookImpact } from '../../matrix/playbook-impact.ts';
import { defaultMatrixFile, readMatrix } from '../../matrix/read-matrix.ts';
import { selectChanged } from '../../matrix/select-changed.ts';
import { selectTier } from '../../matrix/select-tier.ts';
import { HISTORY_OPTION_HELP, readDeploymentCode, readSelectContext } from './select-context.ts';

interface SelectOptions {
  matrix: string;
  tier: string;
  changedFrom?: string;
  files?: string[];
  json?: boolean;
  explain?: boolean;
  history?: string;
}

// `kvmatrix select`: which cells of a tier a change can affect (git diff, the hand-written
// changeImpact rules, then the impact derived from the playbooks).
export function registerSelectCommand(program: Command): void {
  program
    .command('select')
    .description(
      'list the cells of a tier that the files changed since <ref> can affect (changeImpact rules, then what ' +
        'the entry playbooks reach); a file neither knows selects the whole tier',
    )
    .option('--changed-from <ref>', 'git ref to compare with (merge base to working tree), e.g. origin/main')
    .option(
      '--files <path...>',
      'the changed files, relative to the repository root, instead of --changed-from',
    )
    .option('--tier <tier>', 'the tier to narrow', 'pr')
    .option('--matrix <file>', 'the matrix file', defaultMatrixFile())
    .option('--explain', 'after each cell, the changed files that led there and how')
    .option('--history <file>', HISTORY_OPTION_HELP)
    .option('--json', 'print {tier, wholeTier, reasons, files, explain, coverage?, cells} as JSON')
    .action(async (options: SelectOptions) => {
      if ((options.changedFrom === undefined) === (options.files === undefined)) {
        throw new UsageError('select needs exactly one of --changed-from <ref> and --files <path...>', {
          hint: 'e.g. kvmatrix select --changed-from origin/main',
        });
      }
      const matrix = await readMatrix(options.matrix);
      const context = await readSelectContext(options.history);
      const { tier, cells: tierCells } = selectTier(matrix, options.tier, context);
      const changed =
        options.files ??
        (await listChangedFiles(options.changedFrom ?? '', path.dirname(path.resolve(options.matrix))));
      const derived = createPlaybookImpact(matrix, await readDeploymentCode(options.matrix));
      const selection = selectChanged(matrix, tier, tierCells, changed, { context, derived });
      if (options.json) {
        const { cells, ...rest } = selection;
        process.stdout.write(`${JSON.stringify({ tier: tier.id, ...rest, cells }, null, 2)}\n`);
        return;
      }
      const lines: string[] = [];
      for (const cell of selection.cells) {
        lines.push(cell.name);
        if (options.explain) for (const why of selection.explain[cell.name] ?? []) lines.push(`  ${why}`);
      }
      for (const reason of selection.reasons) lines.push(`# ${reason}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
