import type { KubeObject } from '../api/v1alpha1/meta.ts';
import { ApiError, isGone } from './api-error.ts';
import type { KubeClient, ResourceType, WatchEvent } from './kube-client.ts';
import type { Logger } from './logger.ts';

export type InformerEvent = 'add' | 'update' | 'delete';
export type InformerHandler<T> = (event: InformerEvent, object: T, previous: T | undefined) => void;

export function keyOf(object: KubeObject): string {
  return object.metadata.namespace
    ? `${object.metadata.namespace}/${object.metadata.name}`
    : object.metadata.name;
}

// resourceVersions are opaque, but etcd-backed ones are increasing integers; client-go's
// mutation cache compares them the same way.
function isNewer(candidate: KubeObject, current: KubeObject | undefined): boolean {
  if (!current) return true;
  const a = Number(candidate.metadata.resourceVersion);
  const b = Number(current.metadata.resourceVersion);
  return Number.isNaN(a) || Number.isNaN(b) || a > b;
}

// A list+watch cache of one resource type. Lists in pages, watches from the list's
// resourceVersion with bookmarks, resumes a closed watch where it left off, re-lists on
// 410 Gone, and restarts with backoff after any other error. Handlers run synchronously and must
// only enqueue work.
export class Informer<T extends KubeObject> {
  readonly name: string;
  private readonly store = new Map<string, T>();
  private readonly indexers = new Map<string, (object: T) => string[]>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  private readonly handlers: InformerHandler<T>[] = [];
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private lastResourceVersion = '';

  private readonly client: KubeClient;
  private readonly type: ResourceType;
  private readonly options: { namespace?: string; labelSelector?: string; logger: Logger };

  constructor(
    client: KubeClient,
    type: ResourceType,
    options: { namespace?: string; labelSelector?: string; logger: Logger },
  ) {
    this.client = client;
    this.type = type;
    this.options = options;
    this.name = `${type.plural}${options.namespace ? ` in ${options.namespace}` : ''}`;
  }

  on(handler: InformerHandler<T>): void {
    this.handlers.push(handler);
  }

  addIndex(name: string, indexFn: (object: T) => string[]): void {
    this.indexers.set(name, indexFn);
    this.indices.set(name, new Map());
  }

  byIndex(name: string, value: string): T[] {
    const keys = this.indices.get(name)?.get(value);
    if (!keys) return [];
    return [...keys].map((k) => this.store.get(k)).filter((o): o is T => o !== undefined);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.store.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return [...this.store.values()];
  }

  keys(): string[] {
    return [...this.store.keys()];
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  // Puts the result of our own write into the cache at once, unless the watch already delivered
  // something newer, so the next reconcile does not act on the state before the write.
  mutate(object: T): void {
    const key = keyOf(object);
    const old = this.store.get(key);
    if (isNewer(object, old)) this.put(key, object, old, false);
  }

  async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.listAll();
          needList = false;
        }
        await this.client.watch(
          this.type,
          this.options.namespace,
          {
            resourceVersion: this.lastResourceVersion,
            allowWatchBookmarks: true,
            labelSelector: this.options.labelSelector,
            timeoutSeconds: 240 + Math.floor(Math.random() * 120),
          },
          (event) => this.apply(event),
          signal,
        );
        failures = 0; // a watch that ends cleanly is resumed from the last resourceVersion
      } catch (error) {
        if (signal.aborted) break;
        if (isGone(error)) {
          this.options.logger.info(`informer ${this.name}: resourceVersion expired, re-listing`);
          needList = true;
          continue;
        }
        failures++;
        needList = true;
        const delay = Math.min(30_000, 200 * 2 ** failures) * (0.5 + Math.random() / 2);
        this.options.logger.warn(
          `informer ${this.name}: ${(error as Error).message}; restarting in ${Math.round(delay)} ms`,
        );
        await sleep(delay, signal);
      }
    }
  }

  private async listAll(): Promise<void> {
    const seen = new Set<string>();
    let cont: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.client.list<T>(this.type, this.options.namespace, {
        labelSelector: this.options.labelSelector,
        limit: 500,
        continue: cont,
      });
      for (const item of page.items) {
        const key = keyOf(item);
        seen.add(key);
        const old = this.store.get(key);
        if (!old || old.metadata.resourceVersion !== item.metadata.resourceVersion)
          this.put(key, item, old, true);
      }
      cont = page.metadata.continue || undefined;
      resourceVersion = page.metadata.resourceVersion;
    } while (cont);
    for (const [key, old] of [...this.store]) if (!seen.has(key)) this.remove(key, old);
    this.lastResourceVersion = resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const resolve of this.syncWaiters) resolve();
      this.syncWaiters = [];
    }
  }

  private apply(event: WatchEvent): void {
    if (event.type === 'ERROR') {
      const status = event.object as { code?: number; reason?: string; message?: string };
      throw new ApiError('WATCH', this.name, status.code ?? 500, status);
    }
    const object = event.object as unknown as T;
    this.lastResourceVersion = object.metadata.resourceVersion ?? this.lastResourceVersion;
    if (event.type === 'BOOKMARK') return;
    const key = keyOf(object);
    const old = this.store.get(key);
    if (event.type === 'DELETED') this.remove(key, old ?? object);
    else this.put(key, object, old, true);
  }

  private put(key: string, object: T, old: T | undefined, notify: boolean): void {
    if (old) this.unindex(key, old);
    this.store.set(key, object);
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name) as Map<string, Set<string>>;
      for (const value of fn(object)) {
        const keys = index.get(value) ?? new Set<string>();
        keys.add(key);
        index.set(value, keys);
      }
    }
    if (notify) for (const h of this.handlers) h(old ? 'update' : 'add', object, old);
  }

  private remove(key: string, old: T): void {
    this.unindex(key, old);
    this.store.delete(key);
    for (const h of this.handlers) h('delete', old, old);
  }

  private unindex(key: string, old: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name) as Map<string, Set<string>>;
      for (const value of fn(old)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
