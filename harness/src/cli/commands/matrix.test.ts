import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './capture-output.ts';

const small = ['--matrix', 'harness/test/fixtures/matrix/small.yaml'];

describe('kvmatrix matrix list', () => {
  it('lists the full matrix without --tier and says how it was made', async () => {
    const { code, stdout } = await runCli(['matrix', 'list', ...small]);
    const lines = stdout.trim().split('\n');
    expect(code).toBe(0);
    expect(lines).toHaveLength(67 + 1);
    expect(lines[0]).toBe('debian12-1.33-containerd-bridge-aio-deploy');
    expect(lines.at(-1)).toBe(
      '# 67 cells (product of 144, minus excludes and scenario restrictions, plus includes)',
    );
  });

  it('prints the pairwise set of the pr tier and the size of the full product', async () => {
    const { code, stdout } = await runCli(['matrix', 'list', '--tier', 'pr', ...small]);
    const lines = stdout.trim().split('\n');
    expect(code).toBe(0);
    expect(lines.at(-1)).toMatch(
      /^# tier pr: (\d+) cells, pairwise covering set of the 67-cell full product \(\d+\.\dx fewer\): \1 cells cover 100% of 78 pairs$/,
    );
    expect(lines.length - 1).toBeLessThan(67);
  });

  it('prints cells as JSON with name, axes and scenario', async () => {
    const { stdout } = await runCli(['matrix', 'list', '--tier', 'smoke', '--json', ...small]);
    expect(JSON.parse(stdout)).toEqual([
      {
        name: 'debian12-1.34-containerd-bridge-aio-deploy',
        axes: { os: 'debian12', kubernetes: '1.34', runtime: 'containerd', network: 'bridge', layout: 'aio' },
        scenario: 'deploy',
      },
    ]);
  });

  it('rejects an unknown tier with the usage status and the known tiers', async () => {
    const { code, stderr } = await runCli(['matrix', 'list', '--tier', 'weekly', ...small]);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown tier "weekly"; expected one of: pr, nightly, smoke');
  });

  it('lists the shipped matrix by default', async () => {
    const { code, stdout } = await runCli(['matrix', 'list', '--tier', 'pr']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/# tier pr: \d+ cells, pairwise covering set of the \d+-cell full product/);
  });

  it('marks the cells of a value not verified here, with the reason, and no tier holds them', async () => {
    const full = await runCli(['matrix', 'list']);
    expect(full.stdout).toContain(
      'ubuntu2404-1.34-containerd-bridge-aio-deploy  (not verified here: os ubuntu2404)\n',
    );
    expect(full.stdout).toMatch(/^# not verified here: os ubuntu2404: Ubuntu's archive is unreachable/m);
    const nightly = await runCli(['matrix', 'list', '--tier', 'nightly', '--json']);
    const cells = JSON.parse(nightly.stdout) as Array<{ name: string; axes: Record<string, string> }>;
    expect(cells.filter((c) => c.axes.os === 'ubuntu2404' || c.axes.runtime === 'crio')).toEqual([]);
  });
});

describe('kvmatrix matrix show', () => {
  it('prints the resolved cell: vars, machines, steps with checks, overrides and quarantine', async () => {
    const { code, stdout } = await runCli([
      'matrix',
      'show',
      'debian13-1.34-containerd-flannel-external-etcd-upgrade',
      ...small,
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('kube_version=1.34.4 kube_version_previous=1.33.13');
    expect(stdout).toContain('machines    external-etcd (2 CPU, 3072 MiB, 20 GiB each)');
    expect(stdout).toMatch(/1\. deploy-previous +cluster\.yml +deploy; vars: kube_version=1\.33\.13/);
    expect(stdout).toContain('checks: apiserver, nodes-ready');
    expect(stdout).toContain(
      'quarantine  https://gitlab.example.com/kvmatrix/-/issues/1 (flaky): runs with allow_failure',
    );
  });

  it('names an unknown cell and exits with the usage status', async () => {
    const { code, stderr } = await runCli(['matrix', 'show', 'nope', ...small]);
    expect(code).toBe(2);
    expect(stderr).toContain('no cell named "nope"');
  });

  it('prints one clear located error for a bad matrix file', async () => {
    const { code, stderr } = await runCli([
      'matrix',
      'list',
      '--matrix',
      'harness/test/fixtures/matrix/bad-step.yaml',
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^kvmatrix: error: harness\/test\/fixtures\/matrix\/bad-step\.yaml:\d+:\d+ \(at scenarios\.deploy\.steps\[0\]\): unknown step "deplo"/,
    );
    expect(stderr).not.toContain('    at ');
  });
});

describe('kvmatrix matrix status', () => {
  it('shows where a cell last passed, from a result record, per cell and per axis value', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kvm-status-'));
    try {
      const cell = 'debian12-1.34-containerd2-bridge-aio-deploy';
      await mkdir(path.join(dir, cell), { recursive: true });
      const record = {
        schemaVersion: 1,
        cell,
        axes: {
          os: 'debian12',
          kubernetes: '1.34',
          runtime: 'containerd2',
          network: 'bridge',
          layout: 'aio',
        },
        scenario: 'deploy',
        provider: 'podman',
        outcome: 'passed',
        startedAt: '2026-12-03T15:00:00Z',
        finishedAt: '2026-12-03T15:09:00Z',
        durationMs: 540_000,
        phases: [],
        steps: [],
        versions: { 'container-runtime': 'containerd://2.4.2' },
        artifacts: [],
      };
      await writeFile(path.join(dir, cell, 'result.json'), JSON.stringify(record));
      const args = [
        'matrix',
        'status',
        '--tier',
        'local',
        '-r',
        dir,
        '--history',
        path.join(dir, 'none.json'),
      ];
      const json = await runCli([...args, '--json']);
      expect(json.code).toBe(0);
      const evidence = JSON.parse(json.stdout) as {
        cells: Array<{ cell: string; lastPassed?: { provider: string } }>;
        axisValues: Array<{ axis: string; value: string; passedCells: number }>;
      };
      expect(evidence.cells.find((c) => c.cell === cell)?.lastPassed?.provider).toBe('podman');
      expect(evidence.axisValues.find((v) => v.value === 'containerd2')?.passedCells).toBe(1);
      const text = await runCli(args);
      expect(text.stdout).toMatch(
        new RegExp(`^${cell} +2026-12-03 15:09Z podman 9m 00s containerd://2\\.4\\.2 +never$`, 'm'),
      );
      expect(text.stdout).toMatch(/# no passing run yet for: .*runtime containerd,/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
