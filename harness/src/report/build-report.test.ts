import { describe, expect, it } from 'vitest';
import type { ResultRecord } from '../contracts/result-record.ts';
import { buildPipelineReport, decideStatus } from './build-report.ts';
import { addRunsToHistory, createFlakeHistory } from './flake-history.ts';
import { loadFixtureReport } from './test/pipeline-fixture.ts';

function record(
  cell: string,
  outcome: ResultRecord['outcome'],
  extra: Partial<ResultRecord> = {},
): ResultRecord {
  return {
    schemaVersion: 1,
    cell,
    axes: { os: 'debian-12' },
    scenario: 'deploy',
    provider: 'podman',
    outcome,
    startedAt: '2026-11-20T09:00:00.000Z',
    finishedAt: '2026-11-20T09:10:00.000Z',
    durationMs: 600_000,
    phases: [],
    steps: [],
    versions: {},
    artifacts: [],
    ...extra,
  };
}

describe('buildPipelineReport', () => {
  it('counts a planned cell without a record as missing, never as passed', () => {
    const report = buildPipelineReport({
      records: [record('a', 'passed')],
      plan: [
        { name: 'a', axes: { os: 'debian-12' }, scenario: 'deploy' },
        { name: 'b', axes: { os: 'rocky-9' }, scenario: 'deploy' },
      ],
      generatedAt: 'now',
    });
    expect(report.cells.map((c) => [c.name, c.status])).toEqual([
      ['a', 'passed'],
      ['b', 'missing'],
    ]);
    expect(report.counts.missing).toBe(1);
    expect(report.counts.passed).toBe(1);
  });

  it('says where a failing cell last passed, from the flake history, and the HTML chip shows it', async () => {
    const earlier = record('a', 'passed', {
      provider: 'qemu',
      finishedAt: '2026-11-19T08:00:00.000Z',
      durationMs: 420_000,
      ci: { commit: 'c0', jobId: '1' },
    });
    const history = addRunsToHistory(createFlakeHistory(), [earlier]);
    const report = buildPipelineReport({
      records: [record('a', 'failed', { ci: { commit: 'c1', jobId: '2' } }), record('b', 'failed')],
      plan: [
        { name: 'a', axes: { os: 'debian-12' }, scenario: 'deploy' },
        { name: 'b', axes: { os: 'debian-12' }, scenario: 'deploy' },
      ],
      history,
      generatedAt: 'now',
    });
    expect(report.cells[0]?.lastPassed).toMatchObject({
      provider: 'qemu',
      finishedAt: '2026-11-19T08:00:00.000Z',
    });
    expect(report.cells[1]?.lastPassed).toBeUndefined();
    const { renderHtml } = await import('./render-html.ts');
    const html = renderHtml(report);
    expect(html).toContain('a: failed; last passed 2026-11-19 08:00Z on qemu in 7m 00s');
    expect(html).toContain('b: failed; never passed');
  });

  it('keeps records of cells outside the plan and marks them unplanned', () => {
    const report = buildPipelineReport({ records: [record('x', 'failed')], plan: [], generatedAt: 'now' });
    expect(report.cells[0]).toMatchObject({ name: 'x', status: 'failed', unplanned: true });
  });

  it('tells flaky, infra-retried, quarantined and infra-failed apart', () => {
    const first = { attempt: 1 };
    const second = { attempt: 2, startedAt: '2026-11-20T09:20:00.000Z' };
    expect(decideStatus([record('c', 'failed', first), record('c', 'passed', second)], false, false)).toBe(
      'flaky',
    );
    expect(
      decideStatus([record('c', 'infra-failed', first), record('c', 'passed', second)], false, false),
    ).toBe('infra-retried');
    expect(decideStatus([record('c', 'failed')], true, false)).toBe('quarantined');
    expect(decideStatus([record('c', 'infra-failed'), record('c', 'infra-failed')], false, false)).toBe(
      'infra-failed',
    );
    expect(decideStatus([record('c', 'passed')], false, true)).toBe('flaky');
    expect(decideStatus([], false, false)).toBe('missing');
  });

  it('orders attempts by attempt number, so the verdict rests on the last one', () => {
    const report = buildPipelineReport({
      records: [record('c', 'passed', { attempt: 2 }), record('c', 'failed', { attempt: 1 })],
      generatedAt: 'now',
    });
    expect(report.cells[0]?.status).toBe('flaky');
    expect(report.cells[0]?.record?.attempt).toBe(2);
  });

  it('marks a pass as flaky when the history holds a failure of the same cell on the same commit', () => {
    const ci = { commit: 'abc123', jobId: '1', jobUrl: 'https://gitlab.example.com/p/-/jobs/1' };
    const earlier = record('c', 'failed', {
      ci,
      startedAt: '2026-11-20T08:00:00.000Z',
      finishedAt: '2026-11-20T08:10:00.000Z',
    });
    const history = addRunsToHistory(createFlakeHistory(), [earlier]);
    const report = buildPipelineReport({
      records: [record('c', 'passed', { ci: { ...ci, jobId: '2' } })],
      history,
      generatedAt: 'now',
    });
    expect(report.cells[0]?.status).toBe('flaky');
    expect(report.cells[0]?.flakeEvidence).toEqual(['https://gitlab.example.com/p/-/jobs/1']);
  });

  it('finds the first failing step and check of the fixture pipeline with a one-line reason', async () => {
    const report = await loadFixtureReport();
    expect(report.cells).toHaveLength(36);
    expect(report.counts).toMatchObject({
      failed: 3,
      flaky: 1,
      quarantined: 1,
      'infra-retried': 1,
      'infra-failed': 1,
      missing: 2,
      passed: 27,
    });
    const broken = report.cells.find((c) => c.name === 'ubuntu-24.04-1.34.4-containerd-cilium-ha-3cp-deploy');
    expect(broken?.firstFailure).toEqual({
      step: 'deploy',
      check: 'pod-network',
      reason:
        'pod kvmatrix-probe-7d9 on node-2 cannot reach 10.244.1.12:8080 on node-3: i/o timeout after 30s',
    });
    expect(broken?.links.artifacts).toMatch(/\/-\/jobs\/\d+\/artifacts\/browse$/);
    const noMachines = report.cells.find((c) => c.status === 'infra-failed');
    expect(noMachines?.firstFailure?.reason).toContain('got no IP address');
    expect(report.axisOrder).toEqual(['os', 'kubernetes', 'runtime', 'network', 'layout']);
  });
});
