import type { Logger } from './logger.ts';
import type { WorkQueue } from './work-queue.ts';

export interface ReconcileResult {
  requeueAfterMs?: number;
}

// One reconcile loop: `workers` workers take keys from the queue; the queue guarantees that one
// key is never reconciled twice at once. An error re-queues the key with backoff; success forgets
// its failures. Every key is re-queued every `resyncMs` (periodic resync).
export interface ControllerOptions {
  name: string;
  queue: WorkQueue;
  reconcile: (key: string) => Promise<ReconcileResult | undefined>;
  workers: number;
  resyncMs: number;
  listKeys: () => string[];
  logger: Logger;
}

export async function runController(options: ControllerOptions, signal: AbortSignal): Promise<void> {
  const { queue, logger } = options;
  const resync = setInterval(() => {
    for (const key of options.listKeys()) queue.add(key);
  }, options.resyncMs);
  resync.unref();
  signal.addEventListener('abort', () => queue.shutDown(), { once: true });
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        const result = await options.reconcile(key);
        queue.forget(key);
        if (result?.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
      } catch (error) {
        if (!signal.aborted) {
          const retries = queue.retries(key);
          const log = retries >= 3 ? logger.warn : logger.info;
          log(`${options.name} ${key}: ${(error as Error).message} (retry ${retries + 1})`);
          queue.addRateLimited(key);
        }
      } finally {
        queue.done(key);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.workers }, () => worker()));
  } finally {
    clearInterval(resync);
  }
}
