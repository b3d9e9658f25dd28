import type { Watch } from '@kubernetes/client-node';
import type { KubeObject } from './api-resources.ts';

export type WatchHandler = (type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject) => void;

// Watches one collection until stopped. Each (re)start sends no resourceVersion, so the API server
// first replays the current objects as ADDED: handlers must be idempotent, and nothing is missed
// across the periodic closes the API server does. After `maxFailures` failed starts in a row the
// error goes to `onError` (for example 403: the service account may not watch).
export function watchCollection(
  watch: Watch,
  path: string,
  onEvent: WatchHandler,
  onError: (error: unknown) => void,
  query: Record<string, string> = {},
  maxFailures = 5,
): () => void {
  let stopped = false;
  let failures = 0;
  let controller: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;

  const restart = (error: unknown): void => {
    if (stopped) return;
    if (error) {
      failures += 1;
      if (failures >= maxFailures) {
        stopped = true;
        onError(error);
        return;
      }
    }
    timer = setTimeout(start, error ? 500 * failures : 0);
  };

  const start = async (): Promise<void> => {
    if (stopped) return;
    try {
      controller = await watch.watch(
        path,
        query,
        (type, obj) => {
          if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
            failures = 0;
            onEvent(type, obj as KubeObject);
          }
        },
        (error) => restart(isAbort(error) ? undefined : error),
      );
      if (stopped) controller.abort();
    } catch (error) {
      restart(error ?? new Error(`watch ${path} failed`));
    }
  };

  void start();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    controller?.abort();
  };
}

function isAbort(error: unknown): boolean {
  return (error as { name?: string })?.name === 'AbortError';
}
