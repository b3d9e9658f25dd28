import { describe, expect, it } from 'vitest';
import type { ResultRecord } from '../contracts/result-record.ts';
import { selectTier } from '../matrix/select-tier.ts';
import { loadSmall } from '../matrix/test-helpers.ts';
import { buildMatrixEvidence } from './cell-evidence.ts';
import { addRunsToHistory, createFlakeHistory } from './flake-history.ts';
import { formatMatrixStatus } from './format-status.ts';

const matrix = loadSmall();
const aio = 'debian12-1.34-containerd-bridge-aio-deploy';
const crio = 'debian12-1.34-crio-flannel-aio-deploy';

function record(
  cell: string,
  finishedAt: string,
  outcome: ResultRecord['outcome'],
  extra: Partial<ResultRecord> = {},
): ResultRecord {
  const found = matrix.cellsByName.get(cell);
  if (!found) throw new Error(`no cell ${cell}`);
  return {
    schemaVersion: 1,
    cell,
    axes: found.axes,
    scenario: found.scenario,
    provider: 'podman',
    outcome,
    startedAt: finishedAt,
    finishedAt,
    durationMs: 540_000,
    phases: [],
    steps:
      outcome === 'passed'
        ? []
        : [
            {
              id: 'deploy',
              kind: 'deploy',
              playbook: 'cluster.yml',
              outcome: 'failed',
              startedAt: finishedAt,
              durationMs: 1,
              checks: [
                {
                  id: 'nodes-ready',
                  name: 'nodes Ready',
                  outcome: 'failed',
                  durationMs: 1,
                  message: 'w1 NotReady',
                },
              ],
            },
          ],
    versions: { kubelet: 'v1.34.4', 'container-runtime': 'containerd://2.4.2', kube_version: '1.34.4' },
    artifacts: [],
    ...extra,
  };
}

describe('the evidence per cell and per axis value', () => {
  it('shows where each cell last passed and failed, with provider, duration and versions', () => {
    const records = [
      record(aio, '2026-12-01T10:00:00Z', 'passed', { provider: 'qemu', durationMs: 900_000 }),
      record(aio, '2026-12-02T10:00:00Z', 'failed'),
      record(aio, '2026-12-03T10:00:00Z', 'passed'),
    ];
    const evidence = buildMatrixEvidence(matrix.definition.axes, matrix.cells, records);
    const cell = evidence.cells.find((c) => c.cell === aio);
    expect(cell?.runs).toBe(3);
    expect(cell?.lastPassed).toMatchObject({
      finishedAt: '2026-12-03T10:00:00Z',
      provider: 'podman',
      durationMs: 540_000,
      versions: { kubelet: 'v1.34.4', 'container-runtime': 'containerd://2.4.2' },
    });
    expect(cell?.lastFailed).toMatchObject({
      finishedAt: '2026-12-02T10:00:00Z',
      reason: 'step deploy, check nodes-ready: w1 NotReady',
    });
    expect(evidence.cells.find((c) => c.cell === crio)).toEqual({ cell: crio, runs: 0 });
  });

  it('counts per axis value the cells that passed, and names the cell of its latest pass', () => {
    const records = [
      record(aio, '2026-12-03T10:00:00Z', 'passed'),
      record(crio, '2026-12-03T11:00:00Z', 'failed'),
    ];
    const evidence = buildMatrixEvidence(matrix.definition.axes, matrix.cells, records);
    const containerd = evidence.axisValues.find((v) => v.axis === 'runtime' && v.value === 'containerd');
    expect(containerd).toMatchObject({ passedCells: 1, lastPassed: { cell: aio } });
    expect(containerd?.cells).toBe(matrix.cells.filter((c) => c.axes.runtime === 'containerd').length);
    const runtimeCrio = evidence.axisValues.find((v) => v.axis === 'runtime' && v.value === 'crio');
    expect(runtimeCrio?.passedCells).toBe(0);
    expect(runtimeCrio?.lastPassed).toBeUndefined();
    expect(runtimeCrio?.lastFailed?.cell).toBe(crio);
  });

  it('takes runs from the flake history too, counting a run it also has as a record once', () => {
    const ci = { commit: 'c1', jobId: '7', jobUrl: 'https://gitlab.example.com/p/-/jobs/7' };
    const fromCi = record(aio, '2026-12-03T10:00:00Z', 'passed', { provider: 'kubevirt', ci });
    const history = addRunsToHistory(createFlakeHistory(), [fromCi]);
    const evidence = buildMatrixEvidence(matrix.definition.axes, matrix.cells, [fromCi], history);
    const cell = evidence.cells.find((c) => c.cell === aio);
    expect(cell?.runs).toBe(1);
    const onlyHistory = buildMatrixEvidence(matrix.definition.axes, matrix.cells, [], history);
    expect(onlyHistory.cells.find((c) => c.cell === aio)?.lastPassed).toMatchObject({
      provider: 'kubevirt',
      durationMs: 540_000,
      commit: 'c1',
      source: 'history',
      versions: { 'container-runtime': 'containerd://2.4.2' },
    });
  });

  it('prints a table per cell and per axis value, and names the values without a pass', () => {
    const smoke = selectTier(matrix, 'smoke').cells;
    const evidence = buildMatrixEvidence(matrix.definition.axes, smoke, [
      record(aio, '2026-12-03T10:00:00Z', 'passed'),
    ]);
    const text = formatMatrixStatus(evidence, '1 result record');
    expect(text).toContain(
      `${aio}  2026-12-03 10:00Z podman 9m 00s containerd://2.4.2 kubelet v1.34.4  never`,
    );
    expect(text).toContain('# 1 of 1 cells passed at least once, 1 ran (1 result record)');
    expect(text).toMatch(
      /^runtime containerd +1 +1 +2026-12-03 10:00Z podman 9m 00s .* debian12-1\.34-containerd-bridge-aio-deploy/m,
    );
    expect(text).toContain('# every axis value has a passing cell');
  });
});
