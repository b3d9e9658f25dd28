import type { PipelinePlan } from '../contracts/plan.ts';
import { describeCoverage } from '../matrix/cover-cells.ts';
import type { LoadedMatrix } from '../matrix/load-matrix.ts';
import type { MatrixCell } from '../matrix/model.ts';
import { type DerivedImpact, selectChanged } from '../matrix/select-changed.ts';
import { type SelectContext, selectTier } from '../matrix/select-tier.ts';
import { planShards } from './plan-shards.ts';
import { renderChildPipeline } from './render-child-pipeline.ts';
import { DISPATCH_FILE, renderDispatchPipeline } from './render-dispatch-pipeline.ts';

export interface RenderedFile {
  // A path relative to the output folder.
  name: string;
  content: string;
}

export interface GeneratedPipelines {
  tierId: string;
  cells: MatrixCell[];
  reasons: string[];
  // shard-1.yml ... shard-<N>.yml (as many as the cells need), dispatch.yml, then plan.json.
  files: RenderedFile[];
}

export interface GenerateRequest {
  tierId: string;
  // The flake history's failed cells, for tiers seeded with `failed`.
  context?: SelectContext;
  // The impact derived from the playbooks, for narrowing by changed files.
  derived?: DerivedImpact;
  // When given, the tier is narrowed to the cells these files can affect.
  changedFiles?: readonly string[];
}

export function shardFileName(shard: number): string {
  return `shard-${shard}.yml`;
}

// Selection and rendering in one pure step: the tier, narrowed by the changed files, split into
// as many shards as it needs, each rendered as a child pipeline, plus plan.json (what was
// chosen and why) for people and tools. Nothing is written here; see writeFilesAtomically.
export function generatePipelines(matrix: LoadedMatrix, request: GenerateRequest): GeneratedPipelines {
  const selected = selectTier(matrix, request.tierId, request.context);
  const { tier, cells: tierCells, productCount } = selected;
  let cells = tierCells;
  const reasons = [`tier ${tier.id} (${tier.strategy}): ${tierCells.length} of ${productCount} cells`];
  if (selected.coverage) reasons.push(describeCoverage(tierCells.length, selected.coverage));
  let coverage = selected.coverage;
  if (request.changedFiles) {
    const selection = selectChanged(matrix, tier, tierCells, request.changedFiles, {
      ...(request.context ? { context: request.context } : {}),
      ...(request.derived ? { derived: request.derived } : {}),
    });
    cells = selection.cells;
    reasons.push(...selection.reasons);
    if (selection.coverage) {
      coverage = selection.coverage;
      reasons.push(`narrowed: ${describeCoverage(cells.length, selection.coverage)}`);
    }
  }
  const shards = planShards(matrix, cells, tier.id);
  const matrixFile = matrix.definition.file;
  const files: RenderedFile[] = shards.map((shardCells, i) => ({
    name: shardFileName(i + 1),
    content: renderChildPipeline(matrix, shardCells, {
      tierId: tier.id,
      shard: i + 1,
      shardCount: shards.length,
      totalCells: cells.length,
      matrixFile,
      reasons,
    }),
  }));
  const plan: PipelinePlan = {
    tier: tier.id,
    strategy: tier.strategy,
    matrix: matrixFile,
    reasons,
    cells: cells.length,
    ...(coverage ? { coverage } : {}),
    shards: shards.map((s, i) => ({ file: shardFileName(i + 1), cells: s.map((c) => c.name) })),
  };
  files.push({
    name: DISPATCH_FILE,
    content: renderDispatchPipeline(
      matrix,
      shards.map((_, i) => shardFileName(i + 1)),
      { tierId: tier.id, totalCells: cells.length, matrixFile },
    ),
  });
  files.push({ name: 'plan.json', content: `${JSON.stringify(plan, null, 2)}\n` });
  return { tierId: tier.id, cells, reasons, files };
}
