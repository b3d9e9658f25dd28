import { Document, isMap, isScalar, type Pair, type Scalar } from 'yaml';
import { documentToSafeYaml, yamlQuoted } from '../contracts/safe-yaml.ts';
import type { LoadedMatrix } from '../matrix/load-matrix.ts';
import type { MatrixCell } from '../matrix/model.ts';
import { PARALLEL_MATRIX_MAX } from './plan-shards.ts';

// What every cell job runs. `kvmatrix run` exits 0 (passed), 1 (product failure), 2 (usage or
// configuration) or 3 (infrastructure: the only status GitLab retries, see `retry` below); it
// tears its machines down itself, and `kvmatrix down` in after_script covers a job that was
// cancelled or timed out (GitLab runs after_script then too). The job names the matrix file the
// pipeline was generated from (KVMATRIX_MATRIX, set in the pipeline's variables), so that a
// pipeline generated from another matrix runs its own cells.
export const CELL_STAGE = 'cells';
export const CELL_SCRIPT = [
  'npx kvmatrix run --matrix "$KVMATRIX_MATRIX" "$KVMATRIX_CELL" --provider "$KVMATRIX_PROVIDER" --artifacts artifacts',
];
export const CELL_TEARDOWN = ['npx kvmatrix down "$KVMATRIX_CELL" || true'];
// npm ci and the Python tools (.ci/prepare-job); the artifacts come from the shared mirror named
// by KVMATRIX_ARTIFACT_URL and KVMATRIX_REGISTRY, which the parent pipeline passes down.
export const CELL_PREPARE = ['bash .ci/prepare-job --python'];

export interface ChildPipelineContext {
  tierId: string;
  shard: number;
  shardCount: number;
  totalCells: number;
  matrixFile: string;
  // Why these cells (the change selection), shown in the file's header.
  reasons: string[];
}

// One child pipeline: the cells grouped by scenario and timeout into `parallel:matrix` jobs of at most 200 entries
// (GitLab's limit), and one job of its own for each quarantined cell (allow_failure, with the
// issue URL as a comment and in KVMATRIX_QUARANTINE_ISSUE). An empty selection (a change that
// affects no cell) gets one no-op job: the dispatcher always triggers a shard, and GitLab refuses a pipeline without jobs.
// Every job is complete in itself (no `extends`), so that GitLab's schema checks each one and a
// reader sees the whole job in one place.
export function renderChildPipeline(
  matrix: LoadedMatrix,
  cells: MatrixCell[],
  ctx: ChildPipelineContext,
): string {
  const def = matrix.definition;
  const jobs: Record<string, unknown> = {};
  const comments = new Map<string, string>();
  const lists: string[][] = [];
  if (cells.length === 0) {
    jobs['no-cells'] = {
      stage: CELL_STAGE,
      image: def.pipeline.image,
      ...(def.pipeline.tags.length ? { tags: def.pipeline.tags } : {}),
      interruptible: true,
      script: [`echo "tier ${ctx.tierId}: no cells in shard ${ctx.shard} (${ctx.totalCells} cells in all)"`],
    };
  } else {
    const template = cellTemplate(def.pipeline.image, def.pipeline.tags);
    const groups = new Map<string, MatrixCell[]>();
    for (const cell of cells) {
      const timeout = cell.overrides?.timeoutMinutes ?? def.defaults.timeoutMinutes;
      if (cell.quarantine) {
        jobs[cell.name] = {
          stage: CELL_STAGE,
          timeout: `${timeout}m`,
          allow_failure: true,
          variables: { KVMATRIX_CELL: cell.name, KVMATRIX_QUARANTINE_ISSUE: cell.quarantine.issue },
          ...template,
        };
        comments.set(
          cell.name,
          ` quarantined: ${cell.quarantine.issue}${cell.quarantine.reason ? ` (${cell.quarantine.reason})` : ''}`,
        );
        continue;
      }
      const key = `${cell.scenario}\u0000${timeout}`;
      const group = groups.get(key);
      if (group) group.push(cell);
      else groups.set(key, [cell]);
    }
    const timeoutsPerScenario = new Map<string, number>();
    for (const key of groups.keys()) {
      const scenario = key.split('\u0000')[0] as string;
      timeoutsPerScenario.set(scenario, (timeoutsPerScenario.get(scenario) ?? 0) + 1);
    }
    const scenarioOrder = new Map(def.scenarios.map((sc, i) => [sc.id, i]));
    const ordered = [...groups].sort(([a], [b]) => {
      const [sa = '', ta = ''] = a.split('\u0000');
      const [sb = '', tb = ''] = b.split('\u0000');
      return (scenarioOrder.get(sa) ?? 0) - (scenarioOrder.get(sb) ?? 0) || Number(ta) - Number(tb);
    });
    for (const [key, group] of ordered) {
      const [scenario = '', timeout = ''] = key.split('\u0000');
      const base = (timeoutsPerScenario.get(scenario) ?? 0) > 1 ? `${scenario}-${timeout}m` : scenario;
      for (let start = 0, part = 1; start < group.length; start += PARALLEL_MATRIX_MAX, part++) {
        const chunk = group.slice(start, start + PARALLEL_MATRIX_MAX);
        const name = group.length > PARALLEL_MATRIX_MAX ? `${base}-${part}` : base;
        jobs[name] = {
          stage: CELL_STAGE,
          timeout: `${timeout}m`,
          parallel: {
            matrix: [{ KVMATRIX_CELL: `${LIST_MARK}${lists.push(chunk.map((c) => c.name)) - 1}` }],
          },
          ...template,
        };
      }
    }
  }

  const doc = new Document(
    {
      stages: [CELL_STAGE],
      variables: {
        KVMATRIX_TIER: ctx.tierId,
        KVMATRIX_MATRIX: ctx.matrixFile,
        KVMATRIX_PROVIDER: def.pipeline.provider,
      },
      ...jobs,
    },
    { aliasDuplicateObjects: false },
  );
  doc.commentBefore = header(ctx, cells.length);
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items as Pair<Scalar, unknown>[]) {
      if (!isScalar(pair.key)) continue;
      pair.key.spaceBefore = pair.key.value !== 'stages';
      const comment = comments.get(String(pair.key.value));
      if (comment) pair.key.commentBefore = comment;
    }
  }
  return expandLists(documentToSafeYaml(doc), lists);
}

// Cell lists are the bulk of a large pipeline; the document holds a marker for each and the
// lists are written in afterwards, which keeps rendering 10,000 cells fast. Names are plain
// scalars when they cannot read as anything but a string (a letter first, a dash inside),
// otherwise JSON strings, which YAML reads as double-quoted scalars.
const LIST_MARK = '__kvmatrix_list_';

function expandLists(text: string, lists: string[][]): string {
  if (lists.length === 0) return text;
  return text.replace(
    /^( *)- KVMATRIX_CELL: __kvmatrix_list_(\d+)$/gm,
    (_, indent: string, index: string) => {
      const items = (lists[Number(index)] ?? []).map((name) => `${indent}    - ${scalar(name)}`);
      return `${indent}- KVMATRIX_CELL:\n${items.join('\n')}`;
    },
  );
}

function scalar(value: string): string {
  return /^[A-Za-z][A-Za-z0-9._]*-[A-Za-z0-9._-]*$/.test(value) ? value : yamlQuoted(value);
}

function cellTemplate(image: string, tags: string[]): Record<string, unknown> {
  return {
    image,
    ...(tags.length ? { tags } : {}),
    interruptible: true,
    needs: [],
    retry: { max: 2, exit_codes: [3], when: ['script_failure'] },
    cache: { key: { files: ['package-lock.json'] }, paths: ['.npm/'], policy: 'pull' },
    before_script: CELL_PREPARE,
    script: CELL_SCRIPT,
    after_script: CELL_TEARDOWN,
    artifacts: {
      when: 'always',
      expire_in: '30 days',
      paths: ['artifacts/'],
      reports: { junit: 'artifacts/junit.xml' },
    },
  };
}

function header(ctx: ChildPipelineContext, count: number): string {
  const lines = [
    ` Generated by \`kvmatrix generate --tier ${ctx.tierId}\` from ${ctx.matrixFile}: do not edit.`,
    ` Shard ${ctx.shard} of ${ctx.shardCount}: ${count} of the ${ctx.totalCells} selected cells.`,
    ...ctx.reasons.slice(0, 10).map((r) => ` ${r}`),
  ];
  if (ctx.reasons.length > 10) lines.push(` ... and ${ctx.reasons.length - 10} more`);
  return lines.join('\n');
}
