import { isConflict, isNotFound } from './api-error.ts';
import { sleep } from './informer.ts';
import type { KubeClient, ResourceType } from './kube-client.ts';
import type { Logger } from './logger.ts';

export const leaseType: ResourceType = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' };

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export interface LeaderElectionOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  logger: Logger;
}

function microTime(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

// Leader election through a coordination.k8s.io Lease, as client-go's leaderelection does: a
// candidate takes the lease only when the holder has not renewed it for a whole lease duration
// (measured on the candidate's own clock since it last saw the lease change, so clocks need not
// agree); every write carries the resourceVersion it read. Resolves once this process leads;
// `onLost` fires if renewing fails for renewDeadlineMs. On abort the lease is released.
export async function acquireLeadership(
  options: LeaderElectionOptions,
  signal: AbortSignal,
  onLost: () => void,
): Promise<boolean> {
  const { client, namespace, name, identity, logger } = options;
  let observedRecord = '';
  let observedAt = 0;
  const tryAcquireOrRenew = async (): Promise<boolean> => {
    const now = new Date();
    let lease: Lease | undefined;
    try {
      lease = await client.get<Lease>(leaseType, namespace, name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const durationSeconds = Math.ceil(options.leaseDurationMs / 1000);
    if (!lease) {
      await client.create(leaseType, namespace, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace },
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds: durationSeconds,
          acquireTime: microTime(now),
          renewTime: microTime(now),
          leaseTransitions: 0,
        },
      });
      return true;
    }
    const record = JSON.stringify(lease.spec);
    if (record !== observedRecord) {
      observedRecord = record;
      observedAt = Date.now();
    }
    const holder = lease.spec.holderIdentity ?? '';
    const expired = observedAt + (lease.spec.leaseDurationSeconds ?? durationSeconds) * 1000 < Date.now();
    if (holder && holder !== identity && !expired) return false;
    const takingOver = holder !== identity;
    await client.update(leaseType, namespace, name, {
      ...lease,
      spec: {
        holderIdentity: identity,
        leaseDurationSeconds: durationSeconds,
        acquireTime: takingOver ? microTime(now) : lease.spec.acquireTime,
        renewTime: microTime(now),
        leaseTransitions: (lease.spec.leaseTransitions ?? 0) + (takingOver ? 1 : 0),
      },
    });
    return true;
  };
  const attempt = async (): Promise<boolean> => {
    try {
      return await tryAcquireOrRenew();
    } catch (error) {
      if (!isConflict(error)) logger.warn(`leader election: ${(error as Error).message}`);
      return false;
    }
  };

  while (!signal.aborted) {
    if (await attempt()) break;
    await sleep(options.retryPeriodMs * (1 + Math.random() * 0.2), signal);
  }
  if (signal.aborted) return false;
  logger.info(`leader election: ${identity} leads (lease ${namespace}/${name})`);

  void (async () => {
    let lastRenew = Date.now();
    while (!signal.aborted) {
      await sleep(options.retryPeriodMs, signal);
      if (signal.aborted) break;
      if (await attempt()) lastRenew = Date.now();
      else if (Date.now() - lastRenew > options.renewDeadlineMs) {
        logger.error('leader election: lost the lease');
        onLost();
        return;
      }
    }
    await releaseLease(client, namespace, name, identity).catch(() => {});
  })();
  return true;
}

async function releaseLease(
  client: KubeClient,
  namespace: string,
  name: string,
  identity: string,
): Promise<void> {
  const lease = await client.get<Lease>(leaseType, namespace, name);
  if (lease.spec.holderIdentity !== identity) return;
  await client.update(leaseType, namespace, name, {
    ...lease,
    spec: { ...lease.spec, holderIdentity: null, leaseDurationSeconds: 1, renewTime: microTime() },
  });
}
