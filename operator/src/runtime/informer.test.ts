import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.ts';
import { Informer } from './informer.ts';
import type { KubeClient, WatchEvent } from './kube-client.ts';
import { silentLogger } from './logger.ts';

interface Obj {
  metadata: { name: string; namespace: string; resourceVersion: string };
}

const obj = (name: string, rv: number): Obj => ({
  metadata: { name, namespace: 'ns', resourceVersion: String(rv) },
});

// A scripted API server: each list returns the next snapshot, each watch plays the next script.
function fakeClient(lists: Obj[][], watches: Array<(emit: (e: WatchEvent) => void) => Promise<void>>) {
  const calls: string[] = [];
  const client = {
    async list(_t: unknown, _ns: unknown, _o: unknown) {
      calls.push('list');
      const items = lists.shift() ?? [];
      return {
        metadata: {
          resourceVersion: String(Math.max(0, ...items.map((i) => Number(i.metadata.resourceVersion)))),
        },
        items,
      };
    },
    async watch(
      _t: unknown,
      _ns: unknown,
      options: { resourceVersion?: string },
      onEvent: (e: WatchEvent) => void,
      signal: AbortSignal,
    ) {
      calls.push(`watch@${options.resourceVersion}`);
      const script = watches.shift();
      if (!script) return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      return script(onEvent);
    },
  };
  return { client: client as unknown as KubeClient, calls };
}

describe('Informer', () => {
  it('re-lists after 410 Gone, resumes a cleanly closed watch, and restarts after an error', async () => {
    const { client, calls } = fakeClient(
      [
        [obj('a', 1), obj('b', 2)],
        [obj('a', 5), obj('c', 6)],
        [obj('a', 5), obj('c', 6), obj('d', 9)],
      ],
      [
        async (emit) =>
          emit({
            type: 'ERROR',
            object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' },
          }),
        async (emit) => emit({ type: 'MODIFIED', object: obj('c', 7) as never }), // then closes cleanly
        async () => {
          throw new ApiError('WATCH', '/x', 0, { message: 'connection reset' });
        },
      ],
    );
    const informer = new Informer<Obj>(
      client,
      { group: '', version: 'v1', plural: 'things' },
      { namespace: 'ns', logger: silentLogger },
    );
    const events: string[] = [];
    informer.on((event, o) => events.push(`${event} ${o.metadata.name}`));
    const abort = new AbortController();
    const running = informer.run(abort.signal);
    await informer.waitForSync();
    for (let i = 0; i < 100 && calls.length < 6; i++) await new Promise((r) => setTimeout(r, 50));
    abort.abort();
    await running;
    expect(calls).toEqual(['list', 'watch@2', 'list', 'watch@6', 'watch@7', 'list', 'watch@9']);
    expect(informer.keys().sort()).toEqual(['ns/a', 'ns/c', 'ns/d']);
    expect(events).toContain('delete b');
    expect(events).toContain('update c');
  });

  it('keeps its own newer write in the cache until the watch catches up', () => {
    const { client } = fakeClient([], []);
    const informer = new Informer<Obj>(
      client,
      { group: '', version: 'v1', plural: 'things' },
      { logger: silentLogger },
    );
    informer.mutate(obj('a', 10));
    informer.mutate(obj('a', 8));
    expect(informer.get('ns', 'a')?.metadata.resourceVersion).toBe('10');
  });
});
