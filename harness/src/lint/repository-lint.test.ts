import { describe, expect, it } from 'vitest';
import { repoRoot } from '../host/paths.ts';
import { formatSummary } from './report-summary.ts';
import { exitStatusOf, runLint } from './run-lint.ts';

// The gate on this repository itself: its playbooks, scripts, YAML and Python must lint clean.
// (The TypeScript checks are left to `npx tsc --noEmit && npx biome check .`, which every merge
// into main already runs.)
describe('this repository under its own lint stage', () => {
  it('lints clean with ansible-lint, yamllint, shellcheck, syntax-check and pycodestyle', {
    timeout: 300_000,
  }, async () => {
    const report = await runLint({
      path: repoRoot,
      only: ['ansible-lint', 'yamllint', 'shellcheck', 'syntax-check', 'pycodestyle'],
    });
    const summary = formatSummary(report);
    expect(exitStatusOf(report), summary).toBe(0);
  });
});
