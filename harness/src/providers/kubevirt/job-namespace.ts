import type { V1Namespace } from '@kubernetes/client-node';
import { InfrastructureError, KvError } from '../../contracts/errors.ts';
import type { MachineSpec, RunIdentity } from '../../contracts/machine.ts';
import { LABEL_EXPIRES_AT, LABEL_RUN } from '../../host/labels.ts';
import {
  annotationCell,
  annotationRunnerPod,
  annotationSentinel,
  expiryLabel,
  identityLabels,
  namespaceFor,
  toLabelValue,
} from './identity.ts';
import { apiFailure, isConflict, isNotFound, type KubeClients, retryForbidden } from './kube-clients.ts';
import type { RunnerPod } from './kubevirt-options.ts';
import { renderResourceQuota } from './quota.ts';
import { watchCollection } from './watch-collection.ts';

// The ClusterRole a job gets inside its own namespace (vm-templates/rbac/cluster.yaml).
export const jobClusterRole = 'kvmatrix-ci-job';

export interface JobNamespace {
  name: string;
  sentinel?: { namespace: string; name: string };
  runnerPodUid?: string;
}

export function sentinelName(namespace: string): string {
  return `kvmatrix-${namespace}`.slice(0, 253);
}

// Namespaces cannot be owned by a pod (no cross-namespace or namespaced-owns-cluster-scoped
// ownerReferences), so the job's pod owns a sentinel ConfigMap in its own namespace instead. It is
// made before the job namespace: from the first moment the namespace exists, either the sentinel
// (pod alive) or its absence (pod gone, garbage-collected) says whether the job still lives.
export async function createSentinel(
  clients: KubeClients,
  runner: RunnerPod,
  id: RunIdentity,
  namespace: string,
) {
  let uid: string | undefined;
  try {
    const pod = await clients.core.readNamespacedPod({ name: runner.name, namespace: runner.namespace });
    uid = pod.metadata?.uid;
  } catch (error) {
    throw apiFailure(
      `cannot read the runner's pod ${runner.namespace}/${runner.name}`,
      error,
      'check KVMATRIX_RUNNER_POD/KVMATRIX_RUNNER_NAMESPACE and the kvmatrix-ci-runner Role (vm-templates/rbac)',
    );
  }
  if (!uid) throw new InfrastructureError(`the runner's pod ${runner.namespace}/${runner.name} has no UID`);
  const name = sentinelName(namespace);
  try {
    await clients.core.createNamespacedConfigMap({
      namespace: runner.namespace,
      body: {
        metadata: {
          name,
          labels: identityLabels(id),
          ownerReferences: [
            { apiVersion: 'v1', kind: 'Pod', name: runner.name, uid, blockOwnerDeletion: false },
          ],
        },
        data: { namespace },
      },
    });
  } catch (error) {
    if (!isConflict(error)) throw apiFailure(`cannot create the sentinel ${runner.namespace}/${name}`, error);
  }
  return { sentinel: { namespace: runner.namespace, name }, runnerPodUid: uid };
}

// Creates the run's namespace (idempotent for the same run), binds the job role in it and sets
// the quota. Labels are part of the create call itself, so even a harness killed right after
// this call leaves a namespace that `reap` can find.
export async function createJobNamespace(
  clients: KubeClients,
  id: RunIdentity,
  machines: MachineSpec[],
  ttlMs: number,
  now: Date,
  owner: Omit<JobNamespace, 'name'> & { runner?: RunnerPod },
): Promise<JobNamespace> {
  const name = namespaceFor(id);
  const labels = identityLabels(id);
  const annotations: Record<string, string> = { [annotationCell]: id.cell };
  if (owner.sentinel) annotations[annotationSentinel] = `${owner.sentinel.namespace}/${owner.sentinel.name}`;
  if (owner.runner)
    annotations[annotationRunnerPod] =
      `${owner.runner.namespace}/${owner.runner.name}/${owner.runnerPodUid ?? ''}`;
  const body: V1Namespace = {
    metadata: { name, labels: { ...labels, [LABEL_EXPIRES_AT]: expiryLabel(now, ttlMs) }, annotations },
  };
  try {
    await clients.core.createNamespace({ body });
  } catch (error) {
    if (!isConflict(error)) throw apiFailure(`cannot create namespace ${name}`, error);
    const existing = await clients.core.readNamespace({ name });
    if (existing.metadata?.labels?.[LABEL_RUN] !== toLabelValue(id.runId)) {
      throw new KvError('INFRASTRUCTURE', `namespace ${name} exists and belongs to another run`, {
        hint: 'use a unique run id, or reap the old namespace',
      });
    }
    if (existing.metadata?.deletionTimestamp) {
      throw new InfrastructureError(`namespace ${name} is still being deleted from an earlier attempt`);
    }
  }
  await bindJobRole(clients, name, labels);
  try {
    await retryForbidden(() =>
      clients.core.createNamespacedResourceQuota({
        namespace: name,
        body: renderResourceQuota(name, labels, machines) as never,
      }),
    );
  } catch (error) {
    if (!isConflict(error)) throw apiFailure(`cannot create the ResourceQuota in ${name}`, error);
  }
  await waitForQuotaStatus(clients, name, 'kvmatrix', 60_000);
  const result: JobNamespace = { name };
  if (owner.sentinel) result.sentinel = owner.sentinel;
  if (owner.runnerPodUid) result.runnerPodUid = owner.runnerPodUid;
  return result;
}

// Until the quota controller has computed a new ResourceQuota's usage of every resource it
// limits, the API server refuses each object it counts ("status unknown for quota"); object counts
// of custom resources need the controller to have discovered their CRD. Watched, not polled.
async function waitForQuotaStatus(
  clients: KubeClients,
  namespace: string,
  name: string,
  timeoutMs: number,
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let stop = (): void => {};
    const timer = setTimeout(() => {
      stop();
      reject(
        new InfrastructureError(
          `the ResourceQuota ${namespace}/${name} got no status in ${timeoutMs / 1000} s`,
          {
            hint: 'is kube-controller-manager (its resourcequota controller) running?',
          },
        ),
      );
    }, timeoutMs);
    stop = watchCollection(
      clients.watch,
      `/api/v1/namespaces/${namespace}/resourcequotas`,
      (_type, quota) => {
        const hard = Object.keys((quota.spec?.hard as Record<string, string>) ?? {});
        const used = (quota.status?.used as Record<string, string> | undefined) ?? {};
        if (quota.metadata?.name === name && hard.length && hard.every((key) => key in used)) {
          clearTimeout(timer);
          stop();
          resolve();
        }
      },
      (error) => {
        clearTimeout(timer);
        reject(apiFailure(`cannot watch the ResourceQuota in ${namespace}`, error));
      },
      { fieldSelector: `metadata.name=${name}` },
    );
  });
}

// Grants whoever runs the harness the job role in this namespace only. The API server allows it
// because the runner holds `bind` on exactly that ClusterRole.
async function bindJobRole(
  clients: KubeClients,
  namespace: string,
  labels: Record<string, string>,
): Promise<void> {
  let username: string | undefined;
  try {
    const review = await clients.authn.createSelfSubjectReview({
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    username = review.status?.userInfo?.username;
  } catch (error) {
    throw apiFailure('cannot tell who the harness runs as (SelfSubjectReview)', error);
  }
  if (!username) throw new InfrastructureError('the API server did not say who the harness runs as');
  try {
    await clients.rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: jobClusterRole, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: jobClusterRole },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: username }],
      },
    });
  } catch (error) {
    if (!isConflict(error)) {
      throw apiFailure(
        `cannot bind ${jobClusterRole} in ${namespace}`,
        error,
        'apply vm-templates/rbac/cluster.yaml',
      );
    }
  }
}

// Deletes a namespace and waits (by watching it) until the API server has removed it and all it
// held. Idempotent: a missing namespace is already gone.
export async function deleteNamespaceAndWait(
  clients: KubeClients,
  name: string,
  timeoutMs: number,
): Promise<void> {
  const gone = waitForNamespaceGone(clients, name, timeoutMs);
  try {
    await clients.core.deleteNamespace({ name });
  } catch (error) {
    if (!isNotFound(error)) {
      gone.cancel();
      throw apiFailure(`cannot delete namespace ${name}`, error);
    }
  }
  await gone.promise;
}

function waitForNamespaceGone(clients: KubeClients, name: string, timeoutMs: number) {
  let stop = (): void => {};
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve, reject) => {
    const done = (error?: Error): void => {
      stop();
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    // On the deadline, one last read settles a deletion the watch may have missed.
    timer = setTimeout(() => {
      clients.core.readNamespace({ name }).then(
        () =>
          done(
            new InfrastructureError(
              `namespace ${name} still exists ${Math.round(timeoutMs / 1000)} s after deletion`,
              {
                hint: `kubectl get all,datavolumes,pvc -n ${name}; look for finalizers that never clear`,
              },
            ),
          ),
        (error) => done(isNotFound(error) ? undefined : apiFailure(`cannot read namespace ${name}`, error)),
      );
    }, timeoutMs);
    let sawIt = false;
    stop = watchCollection(
      clients.watch,
      '/api/v1/namespaces',
      (type) => {
        if (type === 'DELETED') done();
        else sawIt = true;
      },
      (error) => done(apiFailure(`cannot watch namespace ${name}`, error)),
      { fieldSelector: `metadata.name=${name}` },
    );
    // A namespace already gone produces no event at all: check once after the watch started.
    void clients.core.readNamespace({ name }).then(
      () => {},
      (error) => {
        if (isNotFound(error) && !sawIt) done();
      },
    );
  });
  return { promise, cancel: () => stop() };
}

export async function deleteSentinel(
  clients: KubeClients,
  sentinel: { namespace: string; name: string },
): Promise<void> {
  try {
    await clients.core.deleteNamespacedConfigMap({ namespace: sentinel.namespace, name: sentinel.name });
  } catch (error) {
    if (!isNotFound(error))
      throw apiFailure(`cannot delete the sentinel ${sentinel.namespace}/${sentinel.name}`, error);
  }
}
