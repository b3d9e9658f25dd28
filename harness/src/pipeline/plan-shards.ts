import { MatrixError } from '../contracts/errors.ts';
import type { LoadedMatrix } from '../matrix/load-matrix.ts';
import type { MatrixCell } from '../matrix/model.ts';

// GitLab's limit on the entries of one `parallel:matrix`.
export const PARALLEL_MATRIX_MAX = 200;
// GitLab's default limit on the pipelines of one hierarchy (the parent, the dispatcher and the
// shards); GitLab.com and self-managed instances default to 1000.
export const PIPELINE_HIERARCHY_MAX = 1000;
export const SHARDS_MAX = PIPELINE_HIERARCHY_MAX - 2;

// Splits the selected cells into as many child pipelines as they need, each holding at most
// `pipeline.jobsPerPipeline` cells, as evenly as possible and in canonical order; at least one
// (an empty selection gets one shard with a no-op job). There is no count to keep in step: the
// dispatcher pipeline triggers exactly these shards. Only GitLab's own hierarchy limit bounds it.
export function planShards(matrix: LoadedMatrix, cells: MatrixCell[], tierId: string): MatrixCell[][] {
  const { jobsPerPipeline } = matrix.definition.pipeline;
  const needed = Math.max(1, Math.ceil(cells.length / jobsPerPipeline));
  if (needed > SHARDS_MAX) {
    throw new MatrixError(
      matrix.locate(['pipeline', 'jobsPerPipeline']),
      `tier ${tierId} has ${cells.length} cells; at ${jobsPerPipeline} jobs per pipeline that needs ${needed} ` +
        `child pipelines, more than GitLab's ${PIPELINE_HIERARCHY_MAX} pipelines in one hierarchy allow`,
      { hint: 'raise pipeline.jobsPerPipeline, or narrow the tier (a pairwise strategy, maxCells)' },
    );
  }
  const size = Math.ceil(cells.length / needed);
  const shards: MatrixCell[][] = [];
  for (let s = 0; s < needed; s++) shards.push(cells.slice(s * size, (s + 1) * size));
  return shards;
}
