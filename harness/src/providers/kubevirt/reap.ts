import type { V1Namespace } from '@kubernetes/client-node';
import { LABEL_RUN } from '../../host/labels.ts';
import type { ReapOptions, ReapReport } from '../provider.ts';
import { annotationSentinel, providerSelector, readExpiry, toLabelValue } from './identity.ts';
import { deleteNamespaceAndWait } from './job-namespace.ts';
import { apiFailure, isNotFound, type KubeClients } from './kube-clients.ts';

// Why a namespace is to be removed, or undefined to keep it. Pure except for the sentinel lookup.
export async function reapReason(
  clients: KubeClients,
  ns: V1Namespace,
  options: ReapOptions,
  now: Date,
): Promise<string | undefined> {
  const labels = ns.metadata?.labels ?? {};
  if (options.runId !== undefined) {
    return labels[LABEL_RUN] === toLabelValue(options.runId) ? 'requested run' : undefined;
  }
  if (ns.metadata?.deletionTimestamp) return 'already terminating';
  const expiry = readExpiry(labels);
  if (expiry && expiry.getTime() <= now.getTime()) return `expired at ${expiry.toISOString()}`;
  const created = ns.metadata?.creationTimestamp
    ? new Date(ns.metadata.creationTimestamp).getTime()
    : undefined;
  if (
    options.olderThanMs !== undefined &&
    created !== undefined &&
    now.getTime() - created >= options.olderThanMs
  ) {
    return `older than ${Math.round(options.olderThanMs / 60_000)} min`;
  }
  const sentinel = ns.metadata?.annotations?.[annotationSentinel];
  if (sentinel) {
    const [namespace, name] = sentinel.split('/');
    if (namespace && name) {
      try {
        await clients.core.readNamespacedConfigMap({ namespace, name });
      } catch (error) {
        if (isNotFound(error)) return `runner pod gone (sentinel ${sentinel} garbage-collected)`;
        throw apiFailure(`cannot read the sentinel ${sentinel}`, error);
      }
    }
  }
  return undefined;
}

// Removes, by label, what dead jobs left: expired namespaces, those older than the limit, and
// those whose runner pod is gone. Waits until each is really gone. Safe to run at any time and
// from anywhere (a scheduled pipeline, a CronJob, a developer's shell).
export async function reapNamespaces(
  clients: KubeClients,
  options: ReapOptions,
  now: Date,
  log: (line: string) => void = () => {},
  deleteTimeoutMs = 10 * 60_000,
): Promise<ReapReport> {
  let list: V1Namespace[];
  try {
    list = (await clients.core.listNamespace({ labelSelector: providerSelector })).items;
  } catch (error) {
    throw apiFailure('cannot list kvmatrix namespaces', error);
  }
  const report: ReapReport = { removed: [], kept: [] };
  const deletions: Array<Promise<void>> = [];
  for (const ns of list) {
    const name = ns.metadata?.name ?? '';
    const reason = await reapReason(clients, ns, options, now);
    if (!reason) {
      report.kept.push(name);
      continue;
    }
    log(`reap: removing namespace ${name} (${reason})`);
    deletions.push(
      deleteNamespaceAndWait(clients, name, deleteTimeoutMs).then(() => void report.removed.push(name)),
    );
  }
  await Promise.all(deletions);
  report.removed.sort();
  report.kept.sort();
  return report;
}
