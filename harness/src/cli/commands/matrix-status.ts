import { access } from 'node:fs/promises';
import type { Command } from 'commander';
import { defaultMatrixFile, readMatrix } from '../../matrix/read-matrix.ts';
import { selectTier } from '../../matrix/select-tier.ts';
import { buildMatrixEvidence } from '../../report/cell-evidence.ts';
import { formatMatrixStatus } from '../../report/format-status.ts';
import { readFlakeHistory } from '../../report/io/flake-store.ts';
import { loadResultRecords } from '../../report/io/load-results.ts';

interface StatusOptions {
  matrix: string;
  tier?: string;
  results: string[];
  history: string;
  json?: boolean;
}

const defaultHistory = '.kvmatrix/flake-history.json';

// `kvmatrix matrix status`: where each cell and each axis value last passed and failed, from
// result records and the flake history. Reads only; a source that does not exist is no evidence.
export function registerMatrixStatusCommand(matrix: Command): void {
  matrix
    .command('status')
    .description(
      'show per cell and per axis value when and where it last passed and failed (provider, duration, ' +
        'versions), from result records and the flake history',
    )
    .option('--matrix <file>', 'the matrix file', defaultMatrixFile())
    .option('--tier <tier>', 'only the cells of this tier (default: the full matrix)')
    .option(
      '-r, --results <path...>',
      'result records: directories searched for result.json, files or globs',
      ['artifacts'],
    )
    .option('--history <file>', 'the flake history the report job keeps', defaultHistory)
    .option('--json', 'print {cells, axisValues} as JSON')
    .action(async (options: StatusOptions) => {
      const loaded = await readMatrix(options.matrix);
      const cells = options.tier ? selectTier(loaded, options.tier).cells : loaded.cells;
      const { records } = await loadResultRecords(options.results);
      const hasHistory = await access(options.history).then(
        () => true,
        () => false,
      );
      const history = hasHistory ? await readFlakeHistory(options.history) : undefined;
      const evidence = buildMatrixEvidence(loaded.definition.axes, cells, records, history);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(evidence, null, 2)}\n`);
        return;
      }
      const sources = `${records.length} result record${records.length === 1 ? '' : 's'} under ${options.results.join(', ')}; ${
        history ? `flake history ${options.history}` : `no flake history at ${options.history}`
      }`;
      process.stdout.write(formatMatrixStatus(evidence, sources));
    });
}
