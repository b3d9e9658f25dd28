import type { Cluster } from './api/v1alpha1/cluster.ts';
import type { ClusterDeployment } from './api/v1alpha1/cluster-deployment.ts';
import type { Machine } from './api/v1alpha1/machine.ts';
import type { MachineSet } from './api/v1alpha1/machine-set.ts';
import { ClusterLabel, ManagedByLabel, ManagedByValue } from './api/v1alpha1/meta.ts';
import { reconcileAddons } from './controllers/addons-controller.ts';
import { reconcileClusterDeployment } from './controllers/cluster-deployment-controller.ts';
import {
  ByClaimingSet,
  ByCluster,
  IdleInNamespace,
  type Informers,
  type OperatorContext,
  type Queues,
} from './controllers/context.ts';
import { reconcileInstall } from './controllers/install-controller.ts';
import { reconcileMachine } from './controllers/machine-controller.ts';
import { reconcileMachineSet } from './controllers/machine-set-controller.ts';
import { reconcileNodeHealth } from './controllers/node-health-controller.ts';
import {
  clusterDeploymentsType,
  clustersType,
  jobsType,
  machineSetsType,
  machinesType,
} from './controllers/resource-types.ts';
import { WorkloadClusters } from './controllers/workload-clusters.ts';
import { isIdle, matchesSelector } from './decisions/machine-set.ts';
import type { BatchJob } from './decisions/observed-job.ts';
import type { ExecutorSettings } from './decisions/playbook-job.ts';
import { runController } from './runtime/controller.ts';
import { Informer, keyOf } from './runtime/informer.ts';
import type { KubeClient } from './runtime/kube-client.ts';
import type { Logger } from './runtime/logger.ts';
import { WorkQueue } from './runtime/work-queue.ts';

export interface ManagerOptions {
  client: KubeClient;
  // Watch one namespace only (tests, single-tenant installs); all namespaces when undefined.
  namespace?: string;
  executor: ExecutorSettings;
  logger: Logger;
  workers?: number;
  resyncMs?: number;
}

function ownerKey(
  o: { metadata: { namespace?: string; ownerReferences?: Array<{ kind: string; name: string }> } },
  kind: string,
): string | undefined {
  const ref = o.metadata.ownerReferences?.find((r) => r.kind === kind);
  return ref ? `${o.metadata.namespace}/${ref.name}` : undefined;
}

// Builds the informers, queues and controllers of the operator and wires events to keys. The
// returned run() starts everything and resolves when the signal aborts.
export function createManager(options: ManagerOptions) {
  const { client, namespace, logger } = options;
  const informerOptions = { namespace, logger };
  const informers: Informers = {
    clusterDeployments: new Informer<ClusterDeployment>(client, clusterDeploymentsType, informerOptions),
    machineSets: new Informer<MachineSet>(client, machineSetsType, informerOptions),
    machines: new Informer<Machine>(client, machinesType, informerOptions),
    clusters: new Informer<Cluster>(client, clustersType, informerOptions),
    jobs: new Informer<BatchJob>(client, jobsType, {
      ...informerOptions,
      labelSelector: `${ManagedByLabel}=${ManagedByValue}`,
    }),
  };
  const ns = (o: { metadata: { namespace?: string } }) => o.metadata.namespace ?? '';
  informers.machines.addIndex(ByClaimingSet, (m) =>
    m.spec.claimRef ? [`${ns(m)}/${m.spec.claimRef.machineSet}`] : [],
  );
  informers.machines.addIndex(ByCluster, (m) =>
    m.spec.claimRef ? [`${ns(m)}/${m.spec.claimRef.clusterName}`] : [],
  );
  informers.machines.addIndex(IdleInNamespace, (m) => (isIdle(m) ? [ns(m)] : []));
  informers.machineSets.addIndex(ByCluster, (s) => [`${ns(s)}/${s.spec.clusterName}`]);
  informers.jobs.addIndex(ByCluster, (j) => {
    const cluster = j.metadata.labels?.[ClusterLabel];
    return cluster ? [`${ns(j)}/${cluster}`] : [];
  });

  const queues: Queues = {
    clusterDeployments: new WorkQueue(),
    machineSets: new WorkQueue(),
    machines: new WorkQueue(),
    install: new WorkQueue(),
    nodeHealth: new WorkQueue(),
    addons: new WorkQueue(),
  };
  const ctx: OperatorContext = {
    client,
    informers,
    queues,
    executor: options.executor,
    logger,
    now: () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  const workloads = new WorkloadClusters(logger);

  informers.clusterDeployments.on((_e, cd) => queues.clusterDeployments.add(keyOf(cd)));
  informers.machineSets.on((_e, set) => {
    queues.machineSets.add(keyOf(set));
    const owner = ownerKey(set, 'ClusterDeployment');
    if (owner) queues.clusterDeployments.add(owner);
    queues.install.add(`${ns(set)}/${set.spec.clusterName}`);
  });
  // Sets still short of machines, per namespace: an Idle machine appearing wakes them.
  const wakeWaitingSets = (machine: Machine) => {
    for (const set of informers.machineSets.list()) {
      if (ns(set) !== ns(machine) || set.metadata.deletionTimestamp) continue;
      if ((set.status?.replicas ?? 0) >= set.spec.replicas) continue;
      if (matchesSelector(machine.metadata.labels, set.spec.selector)) queues.machineSets.add(keyOf(set));
    }
  };
  informers.machines.on((_e, machine, previous) => {
    queues.machines.add(keyOf(machine));
    for (const m of [machine, previous]) {
      const claim = m?.spec.claimRef;
      if (!claim) continue;
      queues.machineSets.add(`${ns(machine)}/${claim.machineSet}`);
      queues.install.add(`${ns(machine)}/${claim.clusterName}`);
      queues.nodeHealth.add(`${ns(machine)}/${claim.clusterName}`);
    }
    if (isIdle(machine)) wakeWaitingSets(machine);
  });
  informers.clusters.on((_e, cluster) => {
    const key = keyOf(cluster);
    queues.install.add(key);
    queues.nodeHealth.add(key);
    queues.addons.add(key);
    const owner = ownerKey(cluster, 'ClusterDeployment');
    if (owner) queues.clusterDeployments.add(owner);
  });
  informers.jobs.on((_e, job) => {
    const cluster = job.metadata.labels?.[ClusterLabel];
    if (cluster) queues.install.add(`${ns(job)}/${cluster}`);
  });

  const workers = options.workers ?? 4;
  const resyncMs = options.resyncMs ?? 10 * 60_000;
  const controllers = [
    {
      name: 'clusterdeployment',
      queue: queues.clusterDeployments,
      keys: () => informers.clusterDeployments.keys(),
      reconcile: (k: string) => reconcileClusterDeployment(ctx, k),
    },
    {
      name: 'machineset',
      queue: queues.machineSets,
      keys: () => informers.machineSets.keys(),
      reconcile: (k: string) => reconcileMachineSet(ctx, k),
    },
    {
      name: 'machine',
      queue: queues.machines,
      keys: () => informers.machines.keys(),
      reconcile: (k: string) => reconcileMachine(ctx, k),
    },
    {
      name: 'install',
      queue: queues.install,
      keys: () => informers.clusters.keys(),
      reconcile: (k: string) => reconcileInstall(ctx, k),
    },
    {
      name: 'nodehealth',
      queue: queues.nodeHealth,
      keys: () => informers.clusters.keys(),
      reconcile: (k: string) => reconcileNodeHealth(ctx, workloads, k),
    },
    {
      name: 'addons',
      queue: queues.addons,
      keys: () => informers.clusters.keys(),
      reconcile: (k: string) => reconcileAddons(ctx, workloads, k),
    },
  ];

  async function run(signal: AbortSignal): Promise<void> {
    const all = Object.values(informers) as Array<Informer<never>>;
    const informerRuns = all.map((i) => i.run(signal));
    await Promise.race([
      Promise.all(all.map((i) => i.waitForSync())),
      new Promise((r) => signal.addEventListener('abort', r, { once: true })),
    ]);
    if (signal.aborted) return;
    logger.info(`caches synced (${all.map((i) => `${i.name}: ${i.keys().length}`).join(', ')})`);
    await Promise.all([
      ...controllers.map((c) =>
        runController(
          {
            name: c.name,
            queue: c.queue,
            reconcile: c.reconcile,
            workers,
            resyncMs,
            listKeys: c.keys,
            logger,
          },
          signal,
        ),
      ),
      ...informerRuns,
    ]);
    workloads.stopAll();
  }

  return { ctx, informers, queues, run };
}
