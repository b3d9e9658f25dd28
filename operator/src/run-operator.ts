import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { createManager } from './manager.ts';
import { KubeClient } from './runtime/kube-client.ts';
import { acquireLeadership } from './runtime/leader-election.ts';
import { createLogger, type Logger } from './runtime/logger.ts';
import { RequestCounter } from './runtime/request-counter.ts';

export interface OperatorOptions {
  kubeconfig?: string;
  namespace?: string;
  leaderElection: boolean;
  leaderElectionNamespace: string;
  leaseDurationMs: number;
  executorImage: string;
  // What a ClusterDeployment may name (decisions/executor-policy.ts); empty: only the operator's.
  allowedExecutorImages?: string[];
  allowedSshKeySecrets?: string[];
  executorServiceAccount?: string;
  // Run after install/scale/upgrade in the Job: publishes the workload kubeconfig Secret.
  publishKubeconfigPlaybook?: string;
  workers: number;
  identity?: string;
  // Print a JSON stats line (API requests by verb, memory) on stderr this often; 0 = never.
  statsIntervalMs?: number;
  logger?: Logger;
}

export const statsPrefix = 'kvmatrix-operator-stats ';

function printStats(counter: RequestCounter): void {
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  const stats = {
    requests: counter.total,
    byVerb: counter.snapshot(),
    rssBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
  process.stderr.write(`${statsPrefix}${JSON.stringify(stats)}\n`);
}

export const defaultExecutorImage = 'localhost/kvmatrix-executor:latest';

export function loadKubeConfig(file?: string): KubeConfig {
  const kc = new KubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault(); // $KUBECONFIG, ~/.kube/config, or the in-cluster service account
  return kc;
}

// Runs the operator until the signal aborts or leadership is lost (then it rejects, so that the
// process exits and its Deployment restarts it as a follower, as client-go controllers do).
export async function runOperator(options: OperatorOptions, signal: AbortSignal): Promise<void> {
  const logger = options.logger ?? createLogger('kvmatrix-operator');
  const counter = new RequestCounter();
  const client = new KubeClient(loadKubeConfig(options.kubeconfig), { counter });
  const identity = options.identity ?? `${hostname()}-${process.pid}`;
  const inner = new AbortController();
  const stop = () => inner.abort();
  signal.addEventListener('abort', stop, { once: true });
  let lost = false;
  const stats = options.statsIntervalMs
    ? setInterval(() => printStats(counter), options.statsIntervalMs)
    : undefined;
  stats?.unref();
  try {
    if (options.leaderElection) {
      const leading = await acquireLeadership(
        {
          client,
          namespace: options.namespace ?? options.leaderElectionNamespace,
          name: 'kvmatrix-operator-leader',
          identity,
          leaseDurationMs: options.leaseDurationMs,
          renewDeadlineMs: Math.round(options.leaseDurationMs * 0.66),
          retryPeriodMs: Math.max(500, Math.round(options.leaseDurationMs / 4)),
          logger,
        },
        inner.signal,
        () => {
          lost = true;
          inner.abort();
        },
      );
      if (!leading) return;
    }
    const manager = createManager({
      client,
      namespace: options.namespace,
      executor: {
        image: options.executorImage,
        allowedImages: options.allowedExecutorImages ?? [],
        allowedSshKeySecrets: options.allowedSshKeySecrets ?? [],
        serviceAccountName: options.executorServiceAccount,
        activeDeadlineSeconds: 6 * 3600,
        ...(options.publishKubeconfigPlaybook
          ? { publishKubeconfigPlaybook: options.publishKubeconfigPlaybook }
          : {}),
      },
      logger,
      workers: options.workers,
    });
    logger.info(`watching ${options.namespace ? `namespace ${options.namespace}` : 'all namespaces'}`);
    await manager.run(inner.signal);
  } finally {
    if (stats) {
      clearInterval(stats);
      printStats(counter);
    }
    signal.removeEventListener('abort', stop);
    // Give the lease release a moment before closing the connection pool.
    if (options.leaderElection) await new Promise((r) => setTimeout(r, 200));
    client.close();
  }
  if (lost) throw new Error('lost leadership');
}
