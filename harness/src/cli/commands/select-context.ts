import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { KvError } from '../../contracts/errors.ts';
import { lastRunFailed } from '../../matrix/failed-cells.ts';
import type { SelectContext } from '../../matrix/select-tier.ts';
import { readFlakeHistory } from '../../report/io/flake-store.ts';

export const HISTORY_OPTION_HELP =
  'the flake history (as the report job keeps it): cells whose last run failed seed tiers with `seed: [failed]`';

// What a tier's seeds learn from outside the matrix: the failed cells of the flake history.
// No file: no failures known (a missing file is an empty history).
export async function readSelectContext(
  historyFile: string | undefined,
  previousPlan?: string,
): Promise<SelectContext> {
  return {
    ...(historyFile ? { failed: lastRunFailed(await readFlakeHistory(historyFile)) } : {}),
    ...(previousPlan ? { previous: await readPlanCells(previousPlan) } : {}),
  };
}

export const PREVIOUS_PLAN_OPTION_HELP =
  'an earlier plan.json of the tier: tiers with `seed: [previous]` start from its cells (stable under new axis values)';

// The cells an earlier `kvmatrix generate` planned (plan.json: shards[].cells).
async function readPlanCells(file: string): Promise<string[]> {
  let plan: { shards?: Array<{ cells?: unknown }> };
  try {
    plan = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new KvError('IO', `cannot read the previous plan ${file}: ${(cause as Error).message}`, {
      cause,
      hint: 'pass the plan.json an earlier `kvmatrix generate` wrote',
    });
  }
  return (plan.shards ?? []).flatMap((s) => (Array.isArray(s.cells) ? s.cells.map(String) : []));
}

// The deployment code the impact analysis reads: every file under <repository>/playbooks (the
// repository that holds the matrix file), as text keyed by repository path. Symbolic links are
// not followed (playbooks/internal/roles points back at playbooks/roles). No playbooks folder:
// nothing derived, the hand-written rules decide alone.
export async function readDeploymentCode(matrixFile: string): Promise<Map<string, string>> {
  const start = path.dirname(path.resolve(matrixFile));
  let top: string;
  try {
    top = (await execa('git', ['rev-parse', '--show-toplevel'], { cwd: start })).stdout.trim();
  } catch {
    top = path.dirname(start);
  }
  const code = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(path.join(top, dir), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) await walk(rel);
      else if (entry.isFile()) code.set(rel, await readFile(path.join(top, rel), 'utf8'));
    }
  };
  await walk('playbooks');
  return code;
}
