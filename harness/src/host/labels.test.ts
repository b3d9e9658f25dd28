import { describe, expect, it } from 'vitest';
import { assertMachineName, assertRunId, labelsFor, newRunId } from './labels.ts';

describe('run ids and labels', () => {
  it('makes run ids that are valid and distinct', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newRunId()));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(() => assertRunId(id)).not.toThrow();
  });

  it('rejects run ids and machine names that cannot name a resource', () => {
    expect(() => assertRunId('Bad_Id')).toThrow(/run id "Bad_Id" is not valid/);
    expect(() => assertMachineName('node_1')).toThrow(/machine name "node_1"/);
  });

  it('labels resources with run, cell, pipeline, job, creation time and the owning process', () => {
    const labels = labelsFor(
      { runId: 'r1', cell: 'c', pipeline: '7', job: '9' },
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(labels).toEqual({
      'kvmatrix.io/run-id': 'r1',
      'kvmatrix.io/cell': 'c',
      'kvmatrix.io/pipeline': '7',
      'kvmatrix.io/job': '9',
      'kvmatrix.io/created': '2026-01-01T00:00:00.000Z',
      'kvmatrix.io/owner': String(process.pid),
    });
  });

  it('calls an owner alive only when it is another live process', async () => {
    const { isOwnerAlive } = await import('./labels.ts');
    expect(isOwnerAlive(String(process.pid))).toBe(false);
    expect(isOwnerAlive(String(process.ppid))).toBe(true);
    expect(isOwnerAlive('999999999')).toBe(false);
    expect(isOwnerAlive(undefined)).toBe(false);
  });
});
