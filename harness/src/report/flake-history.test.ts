import { describe, expect, it } from 'vitest';
import type { ResultRecord } from '../contracts/result-record.ts';
import {
  addRunsToHistory,
  createFlakeHistory,
  findFlakeEvents,
  suggestQuarantines,
} from './flake-history.ts';

let clock = Date.parse('2026-11-01T00:00:00Z');
function run(cell: string, commit: string, outcome: ResultRecord['outcome']): ResultRecord {
  clock += 3_600_000;
  const jobId = String(clock / 1000);
  return {
    schemaVersion: 1,
    cell,
    axes: {},
    scenario: 'deploy',
    provider: 'kubevirt',
    outcome,
    startedAt: new Date(clock - 600_000).toISOString(),
    finishedAt: new Date(clock).toISOString(),
    durationMs: 600_000,
    phases: [],
    steps: [],
    versions: {},
    artifacts: [],
    ci: { commit, jobId, jobUrl: `https://gitlab.example.com/p/-/jobs/${jobId}` },
  };
}

describe('the flake history', () => {
  it('calls a failure then a pass on the same commit a flake, and a failure then a pass on a new commit a fix', () => {
    const history = addRunsToHistory(createFlakeHistory(), [
      run('a', 'c1', 'failed'),
      run('a', 'c1', 'passed'),
      run('a', 'c2', 'failed'),
      run('a', 'c3', 'passed'),
      run('a', 'c4', 'infra-failed'),
      run('a', 'c4', 'passed'),
    ]);
    const events = findFlakeEvents(history.cells.a ?? {});
    expect(events.map((e) => e.commit)).toEqual(['c1']);
    expect(events[0]?.failedJobUrl).toMatch(/\/jobs\/\d+$/);
  });

  it('does not count the same job twice when the report runs again', () => {
    const records = [run('a', 'c1', 'failed'), run('a', 'c1', 'passed')];
    const once = addRunsToHistory(createFlakeHistory(), records);
    const twice = addRunsToHistory(once, records);
    expect(twice).toEqual(once);
  });

  it('suggests quarantining a cell that flaked three times in its last runs, naming commits and jobs', () => {
    const records: ResultRecord[] = [];
    for (const commit of ['k1', 'k2', 'k3'])
      records.push(run('wobbly', commit, 'failed'), run('wobbly', commit, 'passed'));
    records.push(run('steady', 'k1', 'failed'), run('steady', 'k1', 'passed'), run('steady', 'k2', 'passed'));
    const history = addRunsToHistory(createFlakeHistory(), records);
    const suggestions = suggestQuarantines(history);
    expect(suggestions.map((s) => s.cell)).toEqual(['wobbly']);
    expect(suggestions[0]?.evidence.map((e) => e.commit)).toEqual(['k1', 'k2', 'k3']);
    expect(suggestQuarantines(history, new Set(['wobbly']))).toEqual([]);
    // Outside the window of the last 4 runs only two flakes remain: no suggestion.
    expect(suggestQuarantines(history, new Set(), { threshold: 3, window: 4 })).toEqual([]);
  });

  it('keeps only the most recent commits of each cell', () => {
    const records = ['m1', 'm2', 'm3', 'm4'].map((c) => run('a', c, 'passed'));
    const history = addRunsToHistory(createFlakeHistory(), records, new Map(), { commitsPerCell: 2 });
    expect(Object.keys(history.cells.a ?? {}).sort()).toEqual(['m3', 'm4']);
  });
});
