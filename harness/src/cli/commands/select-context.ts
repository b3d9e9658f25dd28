import { lastRunFailed } from '../../matrix/failed-cells.ts';
import type { SelectContext } from '../../matrix/select-tier.ts';
import { readFlakeHistory } from '../../report/io/flake-store.ts';

export const HISTORY_OPTION_HELP =
  'the flake history (as the report job keeps it): cells whose last run failed seed tiers with `seed: [failed]`';

// What a tier's seeds learn from outside the matrix: the failed cells of the flake history.
// No file: no failures known (a missing file is an empty history).
export async function readSelectContext(historyFile: string | undefined): Promise<SelectContext> {
  if (!historyFile) return {};
  return { failed: lastRunFailed(await readFlakeHistory(historyFile)) };
}
