import { describe, expect, it } from 'vitest';
import {
  expiryLabel,
  identityLabels,
  namespaceFor,
  readExpiry,
  toDnsLabel,
  toLabelValue,
} from './identity.ts';

describe('identity', () => {
  it('derives the same valid namespace name from the same run, whatever the run id holds', () => {
    const id = { runId: 'Pipeline_1234/Job#5 (retry)', cell: 'c' };
    expect(namespaceFor(id)).toBe(namespaceFor({ ...id }));
    expect(namespaceFor(id)).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    const long = namespaceFor({ runId: 'x'.repeat(200), cell: 'c' });
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).not.toBe(namespaceFor({ runId: 'x'.repeat(201), cell: 'c' }));
  });

  it('keeps label values within the API server rules', () => {
    const value = toLabelValue(`-${'ubuntu2404-1.34-containerd-cilium-ha-external-etcd-'.repeat(3)}upgrade-`);
    expect(value.length).toBeLessThanOrEqual(63);
    expect(value).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/);
    expect(toDnsLabel('Worker_1')).toBe('worker-1');
  });

  it('labels pipeline, job and cell only when known', () => {
    expect(identityLabels({ runId: 'r', cell: 'c' })).not.toHaveProperty('kvmatrix.io/job');
    expect(identityLabels({ runId: 'r', cell: 'c', pipeline: '9', job: '3' })).toMatchObject({
      'kvmatrix.io/pipeline': '9',
      'kvmatrix.io/job': '3',
      'kvmatrix.io/cell': 'c',
      'app.kubernetes.io/managed-by': 'kvmatrix',
    });
  });

  it('round-trips the expiry through its label and ignores a malformed one', () => {
    const now = new Date('2026-11-25T20:00:00Z');
    const label = expiryLabel(now, 3 * 3600_000);
    expect(readExpiry({ 'kvmatrix.io/expires-at': label })?.toISOString()).toBe('2026-11-25T23:00:00.000Z');
    expect(readExpiry({ 'kvmatrix.io/expires-at': 'tomorrow' })).toBeUndefined();
  });
});
