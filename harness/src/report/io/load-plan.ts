import { readFile } from 'node:fs/promises';
import { UsageError } from '../../contracts/errors.ts';
import type { PlanCell } from '../../contracts/plan.ts';
import { isPipelinePlan } from '../../contracts/plan.ts';
import { readMatrix } from '../../matrix/read-matrix.ts';
import { selectTier } from '../../matrix/select-tier.ts';
import { loadPlanFile } from './load-results.ts';

function toPlanCell(cell: PlanCell): PlanCell {
  return {
    name: cell.name,
    axes: cell.axes,
    scenario: cell.scenario,
    ...(cell.quarantine ? { quarantine: cell.quarantine } : {}),
  };
}

// The cells a pipeline was meant to run, from one of:
//  --plan <file>  a JSON array of {name, axes, scenario} (`kvmatrix matrix list --json`), or the
//                 plan.json `kvmatrix generate` writes (names, resolved against the matrix);
//  --tier <id>    the tier's cells, selected from the matrix as `generate` does.
export async function loadPlan(options: {
  plan?: string;
  tier?: string;
  matrix?: string;
}): Promise<PlanCell[] | undefined> {
  if (options.plan && options.tier) throw new UsageError('give either --plan or --tier, not both');
  if (options.tier) {
    const matrix = await readMatrix(options.matrix);
    return selectTier(matrix, options.tier).cells.map(toPlanCell);
  }
  if (!options.plan) return undefined;
  const text = await readFile(options.plan, 'utf8').catch((error: Error) => {
    throw new UsageError(`cannot read the plan ${options.plan}: ${error.message}`);
  });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${options.plan}: not valid JSON (${(error as Error).message})`);
  }
  if (!isPipelinePlan(data)) return loadPlanFile(options.plan);
  const matrix = await readMatrix(options.matrix);
  const names = data.shards.flatMap((s) => s.cells);
  return names.map((name) => {
    const cell = matrix.cellsByName.get(name);
    if (!cell) {
      throw new UsageError(
        `${options.plan}: cell "${name}" is not in the matrix ${options.matrix ?? 'matrix/matrix.yaml'}`,
        {
          hint: 'report with the same matrix file the pipeline was generated from (--matrix)',
        },
      );
    }
    return toPlanCell(cell);
  });
}
