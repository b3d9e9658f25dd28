import { describe, expect, it } from 'vitest';
import { markRunKept, readRunIndex, writeRunIndex } from '../../host/run-index.ts';
import { useScratchDir } from '../../host/test/scratch-dir.ts';
import { reasonToKeep } from './reap-policy.ts';

// A pid that is certainly dead: beyond the kernel's pid_max.
const DEAD = '4194305';
const LIVE = String(process.ppid);

describe('which runs reap leaves alone', () => {
  it('keeps a run whose harness is alive, unless it is named', () => {
    const run = { provider: 'podman', runId: 'r1', owner: LIVE };
    expect(reasonToKeep(run, {})).toMatch(/its harness, pid \d+, is alive/);
    expect(reasonToKeep(run, { runId: 'r1' })).toBeUndefined();
  });

  it('keeps a run left by --keep until it is named or --include-kept is given', () => {
    const run = { provider: 'qemu', runId: 'r2', owner: DEAD, kept: true };
    expect(reasonToKeep(run, {})).toMatch(/kept by `kvmatrix run --keep`/);
    expect(reasonToKeep(run, { includeKept: true })).toBeUndefined();
    expect(reasonToKeep(run, { runId: 'r2' })).toBeUndefined();
    expect(reasonToKeep({ ...run, kept: false }, {})).toBeUndefined();
  });

  it('keeps a run younger than --older-than even when named', () => {
    const now = Date.parse('2026-11-26T03:00:00Z');
    const run = { provider: 'podman', runId: 'r3', owner: DEAD, createdAtMs: now - 60_000 };
    expect(reasonToKeep(run, { olderThanMs: 3_600_000, runId: 'r3' }, now)).toMatch(
      /created 2026-11-26T02:59/,
    );
    expect(reasonToKeep(run, { olderThanMs: 30_000 }, now)).toBeUndefined();
  });
});

describe('markRunKept', () => {
  useScratchDir('kvm-reap-policy-', { KVMATRIX_STATE_DIR: '.' });

  it('marks the run index entry and leaves a run without one alone', async () => {
    const id = { runId: 'kvmkept1', cell: 'c' };
    await writeRunIndex({
      id,
      provider: 'podman',
      stateDir: '/x',
      createdAt: new Date().toISOString(),
      pid: 1,
    });
    await markRunKept('kvmkept1');
    await markRunKept('kvmnoentry');
    const entries = await readRunIndex();
    expect(entries.map((e) => [e.id.runId, e.kept])).toEqual([['kvmkept1', true]]);
  });
});
