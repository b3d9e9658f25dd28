// The kubelet's part in the integration tests. The control plane of the tests has no kubelet (and
// no scheduler), so the Job controller's pods are never run: the tests finish them by writing the
// pod status a kubelet would write (phase, the container's terminated state and its termination
// message), and the real Job controller turns that into the Job's outcome. Likewise Nodes of a
// "workload cluster" are created and marked Ready as a kubelet would.
import { LogTailAnnotation } from '../src/api/v1alpha1/meta.ts';
import { nodesType, podsType } from '../src/controllers/resource-types.ts';
import type { KubeClient } from '../src/runtime/kube-client.ts';
import { waitFor } from './test-env.ts';

interface Pod {
  metadata: { name: string; namespace: string };
  spec: { containers: Array<{ name: string; image: string }> };
  status?: { phase?: string };
}

export async function jobPods(client: KubeClient, namespace: string, job: string): Promise<Pod[]> {
  return (await client.list<Pod>(podsType, namespace, { labelSelector: `job-name=${job}` })).items;
}

// Ends the (one) pod of a Job as a kubelet would report it. With `logTail`, the tail is put
// where a kubelet would put it for FallbackToLogsOnError (the termination message), and, when
// `viaAnnotation`, on the pod's kvmatrix.io/log-tail annotation instead.
export async function finishJobPod(
  client: KubeClient,
  namespace: string,
  job: string,
  outcome: 'Succeeded' | 'Failed',
  options: { logTail?: string; viaAnnotation?: boolean } = {},
): Promise<void> {
  const pod = await waitFor(
    `a pod of Job ${job}`,
    async () => (await jobPods(client, namespace, job))[0],
    60_000,
  );
  if (options.logTail && options.viaAnnotation) {
    await client.patch(podsType, namespace, pod.metadata.name, {
      metadata: { annotations: { [LogTailAnnotation]: options.logTail } },
    });
  }
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const container = pod.spec.containers[0] as { name: string; image: string };
  await client.patchStatus(podsType, namespace, pod.metadata.name, {
    status: {
      phase: outcome,
      startTime: now,
      conditions: [{ type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: now }],
      containerStatuses: [
        {
          name: container.name,
          image: container.image,
          imageID: '',
          ready: false,
          restartCount: 0,
          started: false,
          state: {
            terminated: {
              exitCode: outcome === 'Succeeded' ? 0 : 2,
              reason: outcome === 'Succeeded' ? 'Completed' : 'Error',
              startedAt: now,
              finishedAt: now,
              ...(options.logTail && !options.viaAnnotation ? { message: options.logTail } : {}),
            },
          },
        },
      ],
    },
  });
}

export async function createNode(client: KubeClient, name: string, ready: boolean): Promise<void> {
  await client.create(nodesType, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name } });
  await setNodeReady(client, name, ready);
}

export async function setNodeReady(client: KubeClient, name: string, ready: boolean): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  await client.patchStatus(nodesType, undefined, name, {
    status: {
      conditions: [
        {
          type: 'Ready',
          status: ready ? 'True' : 'False',
          reason: ready ? 'KubeletReady' : 'KubeletNotReady',
          message: ready ? 'kubelet is posting ready status' : 'container runtime network not ready',
          lastHeartbeatTime: now,
          lastTransitionTime: now,
        },
      ],
    },
  });
}
