import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResolvedCell } from '../matrix/model.ts';
import { loadPlanFile, loadResultRecords } from '../report/io/load-results.ts';
import { fixturePlan, fixtureResults, loadFixtureReport } from '../report/test/pipeline-fixture.ts';
import { judgeGate } from './judge-gate.ts';
import { gateConcurrency } from './run-gate.ts';

const cell = (machines: number, memoryMiB: number) =>
  ({
    layout: {
      id: 'x',
      nodes: Array.from({ length: machines }, (_, i) => ({ name: `n${i}`, roles: ['worker'] })),
    },
    machine: { cpus: 2, memoryMiB, diskGiB: 10 },
  }) as unknown as ResolvedCell;

describe('gateConcurrency', () => {
  it('runs one cell at a time on a 2-core machine', () => {
    expect(gateConcurrency([cell(1, 2048)], 2, 24_576)).toBe(1);
  });

  it('is bounded by memory for wide cells and by cores for small ones', () => {
    expect(gateConcurrency([cell(1, 2048)], 16, 24_576)).toBe(8);
    expect(gateConcurrency([cell(6, 3072)], 16, 24_576)).toBe(1);
    expect(gateConcurrency([cell(2, 2048)], 16, 24_576)).toBe(4);
  });

  it('never drops below one', () => {
    expect(gateConcurrency([cell(10, 8192)], 1, 1024)).toBe(1);
  });
});

describe('judgeGate', () => {
  let out: string;
  beforeEach(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'kvmatrix-gate-'));
  });
  afterEach(async () => {
    await rm(out, { recursive: true, force: true });
  });

  const judge = async (names: string[]) => {
    const { records } = await loadResultRecords([fixtureResults]);
    const plan = (await loadPlanFile(fixturePlan)).filter((c) => names.includes(c.name));
    for (const name of names.filter((n) => !plan.some((c) => c.name === n))) {
      plan.push({ name, axes: {}, scenario: 'deploy' });
    }
    return judgeGate({
      tier: 'release',
      cells: plan,
      records,
      provider: 'podman',
      outDir: out,
      now: () => new Date(0),
    });
  };

  it('passes when every planned cell passed, ignoring records outside the plan', async () => {
    const full = await loadFixtureReport();
    const passedNames = full.cells
      .filter((c) => c.status === 'passed')
      .map((c) => c.name)
      .slice(0, 3);
    const result = await judge(passedNames);
    expect(result.passed).toBe(true);
    expect([...new Set(result.records.map((r) => r.cell))].sort()).toEqual([...passedNames].sort());
    expect(await readFile(path.join(out, 'release-report.md'), 'utf8')).toMatch(
      /^# Release gate `release`: PASSED/,
    );
  });

  it('fails on a failed cell and names it in the report', async () => {
    const full = await loadFixtureReport();
    const failed = full.cells.find((c) => c.status === 'failed')?.name as string;
    const result = await judge([failed]);
    expect(result.passed).toBe(false);
    const md = await readFile(path.join(out, 'release-report.md'), 'utf8');
    expect(md).toMatch(/^# Release gate `release`: FAILED/);
    expect(md).toContain(failed);
  });

  it('fails when a planned cell has no record', async () => {
    const result = await judge(['debian12-1.34-containerd-bridge-aio-never-ran']);
    expect(result.passed).toBe(false);
    expect(result.report.cells[0]?.status).toBe('missing');
    const json = JSON.parse(await readFile(path.join(out, 'release-report.json'), 'utf8'));
    expect(json).toMatchObject({ tier: 'release', passed: false, provider: 'podman' });
  });
});
