// The plan: the middle stage of the flow (matrix -> plan -> pipelines and reports). What
// `kvmatrix generate` writes as plan.json beside the child pipelines (the cells chosen, per
// shard, and why), and what `kvmatrix report --plan` reads back to know which cells were meant
// to run. Pure types and a shape check; imports nothing.

export interface PlanShard {
  file: string;
  cells: string[];
}

export interface PipelinePlan {
  tier: string;
  strategy: string;
  matrix: string;
  reasons: string[];
  // How many cells the plan holds (all shards together).
  cells: number;
  shards: PlanShard[];
}

// A planned cell as the reports need it: its name, axis values, scenario and quarantine.
export interface PlanCell {
  name: string;
  axes: Record<string, string>;
  scenario: string;
  quarantine?: { issue: string; reason?: string };
}

// Whether parsed JSON has the shape of a plan.json: its shards, each naming its cells.
export function isPipelinePlan(data: unknown): data is Pick<PipelinePlan, 'tier' | 'shards'> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return false;
  const shards = (data as { shards?: unknown }).shards;
  return (
    Array.isArray(shards) &&
    shards.every((s) => Array.isArray((s as { cells?: unknown } | null | undefined)?.cells))
  );
}
