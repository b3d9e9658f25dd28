import type { Command } from 'commander';
import { describeCoverage } from '../../matrix/cover-cells.ts';
import { formatResolvedCell } from '../../matrix/format-cell.ts';
import { defaultMatrixFile, readMatrix } from '../../matrix/read-matrix.ts';
import { resolveCellByName } from '../../matrix/resolve-cell.ts';
import { selectTier } from '../../matrix/select-tier.ts';
import { registerMatrixStatusCommand } from './matrix-status.ts';
import { HISTORY_OPTION_HELP, readSelectContext } from './select-context.ts';

interface ListOptions {
  matrix: string;
  tier?: string;
  history?: string;
  json?: boolean;
}

interface ShowOptions {
  matrix: string;
  json?: boolean;
}

// `kvmatrix matrix list|show|status`: look at the matrix (and its evidence) without running anything.
export function registerMatrixCommand(program: Command): void {
  const matrix = program
    .command('matrix')
    .description('inspect the test matrix (cells, tiers, resolved cells, where cells last passed)');
  registerMatrixStatusCommand(matrix);

  matrix
    .command('list')
    .description(
      'list cells: without --tier the full matrix (product minus excludes plus includes); ' +
        'with --tier the cells that tier runs',
    )
    .option('--matrix <file>', 'the matrix file', defaultMatrixFile())
    .option('--tier <tier>', 'only the cells of this tier (pr, nightly, release, ...)')
    .option('--history <file>', HISTORY_OPTION_HELP)
    .option('--json', 'print a JSON array of {name, axes, scenario, quarantine?, overrides?, unverified?}')
    .action(async (options: ListOptions) => {
      const loaded = await readMatrix(options.matrix);
      const selection = options.tier
        ? selectTier(loaded, options.tier, await readSelectContext(options.history))
        : undefined;
      const cells = selection ? selection.cells : loaded.cells;
      if (options.json) {
        process.stdout.write(`${JSON.stringify(cells, null, 2)}\n`);
        return;
      }
      // A cell of a value not verified on this test bed says so beside its name.
      const out = cells.map((c) =>
        c.unverified
          ? `${c.name}  (not verified here: ${c.unverified.map((r) => r.split(':')[0]).join(', ')})`
          : c.name,
      );
      if (selection) {
        const { tier, productCount } = selection;
        const ratio = (productCount / cells.length).toFixed(1);
        const how =
          tier.strategy === 'pairwise'
            ? `pairwise covering set of the ${productCount}-cell full product (${ratio}x fewer)${selection.coverage ? `: ${describeCoverage(cells.length, selection.coverage)}` : ''}`
            : tier.strategy === 'product'
              ? `full product of ${productCount} cells`
              : `named cells (the full product would be ${productCount} cells)`;
        const named =
          tier.strategy === 'product' && tier.cells.length ? `, plus ${tier.cells.length} named cells` : '';
        out.push(`# tier ${tier.id}: ${cells.length} cell${cells.length === 1 ? '' : 's'}, ${how}${named}`);
      } else {
        out.push(
          `# ${cells.length} cells (product of ${loaded.productSize}, minus excludes and scenario restrictions, plus includes)`,
        );
      }
      const reasons = new Set(cells.flatMap((c) => c.unverified ?? []));
      for (const reason of reasons) out.push(`# not verified here: ${reason.replace(/\s+/g, ' ')}`);
      process.stdout.write(`${out.join('\n')}\n`);
    });

  matrix
    .command('show')
    .description(
      'print one cell resolved: axes with their vars, machines, steps with checks, overrides, quarantine',
    )
    .argument('<cell>', 'a cell name from `kvmatrix matrix list`')
    .option('--matrix <file>', 'the matrix file', defaultMatrixFile())
    .option('--json', 'print the resolved cell as JSON')
    .action(async (name: string, options: ShowOptions) => {
      const loaded = await readMatrix(options.matrix);
      const cell = resolveCellByName(loaded, name);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(cell, null, 2)}\n`);
        return;
      }
      const description = loaded.definition.scenarios.find((s) => s.id === cell.scenario)?.description;
      process.stdout.write(formatResolvedCell(cell, description));
    });
}
