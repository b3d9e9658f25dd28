import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { execa } from 'execa';
import { type CheckContext, CheckFailure, eventually } from './check.ts';

export const PROBE_NAMESPACE = 'kvmatrix-probe';
export const PROBE_SERVICE = 'probe';
const PROBE_PORT = 8080;

export interface ProbePod {
  name: string;
  node: string;
  ip: string;
}

function probePod(node: string, image: string): V1Pod {
  return {
    metadata: { name: `probe-${node}`, labels: { app: 'kvmatrix-probe', 'kvmatrix.node': node } },
    spec: {
      nodeName: node,
      tolerations: [{ operator: 'Exists' }],
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'probe',
          image,
          // busybox's httpd serves the node's name, so a reply proves which pod answered.
          command: [
            'sh',
            '-c',
            `mkdir -p /www && echo ${node} > /www/index.html && exec httpd -f -p ${PROBE_PORT} -h /www`,
          ],
          ports: [{ containerPort: PROBE_PORT }],
          readinessProbe: { tcpSocket: { port: PROBE_PORT }, periodSeconds: 1 },
        },
      ],
    },
  };
}

// Ensures one probe pod on every member node and a Service in front of them; idempotent, so
// each step's checks reuse what the earlier ones made. Returns the Ready pods.
export async function ensureProbeWorkload(ctx: CheckContext): Promise<ProbePod[]> {
  const api = ctx.kubeConfig.makeApiClient(CoreV1Api);
  const nodes = ctx.members.filter((n) => n.roles.some((r) => r !== 'etcd')).map((n) => n.name);
  await api.createNamespace({ body: { metadata: { name: PROBE_NAMESPACE } } }).catch(ignoreConflict);
  await api
    .createNamespacedService({
      namespace: PROBE_NAMESPACE,
      body: {
        metadata: { name: PROBE_SERVICE },
        spec: { selector: { app: 'kvmatrix-probe' }, ports: [{ port: PROBE_PORT, targetPort: PROBE_PORT }] },
      },
    })
    .catch(ignoreConflict);
  const existing = (await api.listNamespacedPod({ namespace: PROBE_NAMESPACE })).items;
  for (const pod of existing) {
    const node = pod.spec?.nodeName ?? '';
    const failed = pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
    if (!nodes.includes(node) || failed) {
      await api.deleteNamespacedPod({
        name: pod.metadata?.name ?? '',
        namespace: PROBE_NAMESPACE,
        gracePeriodSeconds: 0,
      });
    }
  }
  for (const node of nodes) {
    await api
      .createNamespacedPod({ namespace: PROBE_NAMESPACE, body: probePod(node, ctx.probeImage) })
      .catch(ignoreConflict);
  }
  return eventually(ctx.signal, 180_000, async () => {
    const pods = (
      await api.listNamespacedPod({ namespace: PROBE_NAMESPACE, labelSelector: 'app=kvmatrix-probe' })
    ).items;
    const ready = pods.filter(
      (p) => p.status?.podIP && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    if (ready.length < nodes.length) {
      const states = pods
        .map(
          (p) =>
            `${p.metadata?.name}: ${p.status?.phase} ${p.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? ''}`,
        )
        .join('\n');
      throw new CheckFailure(
        `${ready.length} of ${nodes.length} probe pods Ready (image ${ctx.probeImage})`,
        states,
      );
    }
    return ready.map((p) => ({
      name: p.metadata?.name ?? '',
      node: p.spec?.nodeName ?? '',
      ip: p.status?.podIP ?? '',
    }));
  });
}

// Runs a command inside a probe pod through the apiserver and kubelet (kubectl exec). Bound
// network commands with busybox's `timeout`: Debian's static busybox wget crashes on its own -T.
export async function execInPod(
  ctx: CheckContext,
  pod: string,
  command: string[],
): Promise<{ ok: boolean; output: string }> {
  const r = await execa(
    ctx.kubectl,
    ['--kubeconfig', ctx.kubeconfigFile, '-n', PROBE_NAMESPACE, 'exec', pod, '--', ...command],
    { reject: false, timeout: 30_000, all: true, cancelSignal: ctx.signal },
  );
  return { ok: r.exitCode === 0, output: String(r.all ?? '').trim() };
}

// Fetches a URL from inside a probe pod; the reply is the serving probe's node name.
export function fetchFromPod(
  ctx: CheckContext,
  pod: string,
  url: string,
): Promise<{ ok: boolean; output: string }> {
  return execInPod(ctx, pod, ['timeout', '5', 'wget', '-q', '-O', '-', url]);
}

function ignoreConflict(error: unknown): void {
  const code = (error as { code?: number }).code;
  if (code !== 409) throw error;
}

export { PROBE_PORT };
