import { MatrixError } from '../contracts/errors.ts';
import type { LoadedMatrix } from '../matrix/load-matrix.ts';
import type { MatrixCell } from '../matrix/model.ts';

// GitLab's limit on the entries of one `parallel:matrix`.
export const PARALLEL_MATRIX_MAX = 200;

// Splits the selected cells into exactly `pipeline.maxShards` child pipelines (the parent has
// one trigger job per shard, fixed in .gitlab-ci.yml), each holding at most
// `pipeline.jobsPerPipeline` cells, as evenly as possible and in canonical order. Trailing
// shards may be empty. Fails, pointing at the setting, when the tier does not fit.
export function planShards(matrix: LoadedMatrix, cells: MatrixCell[], tierId: string): MatrixCell[][] {
  const { jobsPerPipeline, maxShards } = matrix.definition.pipeline;
  const needed = Math.max(1, Math.ceil(cells.length / jobsPerPipeline));
  if (needed > maxShards) {
    throw new MatrixError(
      matrix.locate(['pipeline', 'maxShards']),
      `tier ${tierId} has ${cells.length} cells; at ${jobsPerPipeline} jobs per pipeline that needs ${needed} ` +
        `child pipelines, but pipeline.maxShards is ${maxShards}`,
      {
        hint: 'raise pipeline.maxShards and add trigger jobs to .gitlab-ci.yml, raise jobsPerPipeline, or narrow the tier',
      },
    );
  }
  const size = Math.ceil(cells.length / needed);
  const shards: MatrixCell[][] = [];
  for (let s = 0; s < maxShards; s++) shards.push(cells.slice(s * size, (s + 1) * size));
  return shards;
}
