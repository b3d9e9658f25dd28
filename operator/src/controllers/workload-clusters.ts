import { KubeConfig } from '@kubernetes/client-node';
import type { NodeLike } from '../decisions/node-health.ts';
import { Informer } from '../runtime/informer.ts';
import { KubeClient } from '../runtime/kube-client.ts';
import type { Logger } from '../runtime/logger.ts';
import { nodesType } from './resource-types.ts';

interface Workload {
  kubeconfig: string;
  kubeConfig: KubeConfig;
  client: KubeClient;
  nodes: Informer<NodeLike>;
  abort: AbortController;
}

// Connections to the workload clusters: one client and one Node informer per cluster, made from
// its kubeconfig Secret, replaced when the Secret changes, stopped when the cluster goes away.
export class WorkloadClusters {
  private readonly clusters = new Map<string, Workload>();
  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  ensure(key: string, kubeconfig: string, onNodeEvent: () => void): Workload {
    const existing = this.clusters.get(key);
    if (existing && existing.kubeconfig === kubeconfig) return existing;
    if (existing) this.stop(key);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(kubeconfig);
    const client = new KubeClient(kubeConfig, { userAgent: 'kvmatrix-operator/node-health' });
    const nodes = new Informer<NodeLike>(client, nodesType, { logger: this.logger });
    nodes.on(() => onNodeEvent());
    const abort = new AbortController();
    void nodes.run(abort.signal);
    const workload = { kubeconfig, kubeConfig, client, nodes, abort };
    this.clusters.set(key, workload);
    return workload;
  }

  stop(key: string): void {
    const workload = this.clusters.get(key);
    if (!workload) return;
    workload.abort.abort();
    workload.client.close();
    this.clusters.delete(key);
  }

  stopAll(): void {
    for (const key of [...this.clusters.keys()]) this.stop(key);
  }
}
