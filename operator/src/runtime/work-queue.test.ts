import { describe, expect, it } from 'vitest';
import { WorkQueue } from './work-queue.ts';

describe('WorkQueue', () => {
  it('does not queue a key twice', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('a');
    q.add('b');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
  });

  it('never hands out a key that is being processed; it comes back after done()', async () => {
    const q = new WorkQueue();
    q.add('a');
    const first = await q.get();
    q.add('a');
    expect(q.length).toBe(0);
    q.add('b');
    expect(await q.get()).toBe('b');
    q.done(first as string);
    expect(await q.get()).toBe('a');
  });

  it('backs off exponentially with jitter, capped', () => {
    const q = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 1000 });
    for (let n = 0; n < 4; n++) {
      const d = q.backoffDelay(n);
      expect(d).toBeGreaterThanOrEqual(100 * 2 ** n * 0.8);
      expect(d).toBeLessThanOrEqual(100 * 2 ** n * 1.2);
    }
    expect(q.backoffDelay(20)).toBeLessThanOrEqual(1200);
  });

  it('re-queues a rate-limited key after its delay and forgets failures on success', async () => {
    const q = new WorkQueue({ baseDelayMs: 20 });
    q.addRateLimited('a');
    q.addRateLimited('a');
    expect(q.retries('a')).toBe(2);
    expect(q.length).toBe(0);
    expect(await q.get()).toBe('a');
    q.forget('a');
    expect(q.retries('a')).toBe(0);
  });

  it('releases waiting workers with undefined on shutdown', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).toBeUndefined();
  });
});
