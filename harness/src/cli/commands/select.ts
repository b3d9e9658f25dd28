import path from 'node:path';
import type { Command } from 'commander';
import { listChangedFiles } from '../../git/changed-files.ts';
import { defaultMatrixFile, readMatrix } from '../../matrix/read-matrix.ts';
import { selectChanged } from '../../matrix/select-changed.ts';
import { selectTier } from '../../matrix/select-tier.ts';

interface SelectOptions {
  matrix: string;
  tier: string;
  changedFrom: string;
  json?: boolean;
}

// `kvmatrix select`: which cells of a tier a change can affect (git diff + changeImpact).
export function registerSelectCommand(program: Command): void {
  program
    .command('select')
    .description(
      'list the cells of a tier that the files changed since <ref> can affect; ' +
        'a file no change-impact rule knows selects the whole tier',
    )
    .requiredOption(
      '--changed-from <ref>',
      'git ref to compare with (merge base to working tree), e.g. origin/main',
    )
    .option('--tier <tier>', 'the tier to narrow', 'pr')
    .option('--matrix <file>', 'the matrix file', defaultMatrixFile())
    .option('--json', 'print {tier, wholeTier, reasons, files, cells} as JSON')
    .action(async (options: SelectOptions) => {
      const matrix = await readMatrix(options.matrix);
      const { tier, cells: tierCells } = selectTier(matrix, options.tier);
      const changed = await listChangedFiles(options.changedFrom, path.dirname(path.resolve(options.matrix)));
      const selection = selectChanged(matrix, tier, tierCells, changed);
      if (options.json) {
        const { cells, ...rest } = selection;
        process.stdout.write(`${JSON.stringify({ tier: tier.id, ...rest, cells }, null, 2)}\n`);
        return;
      }
      const lines = selection.cells.map((c) => c.name);
      for (const reason of selection.reasons) lines.push(`# ${reason}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
