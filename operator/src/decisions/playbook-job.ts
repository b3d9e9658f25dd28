import type { Cluster, Operation } from '../api/v1alpha1/cluster.ts';
import {
  API_VERSION,
  AttemptLabel,
  ClusterLabel,
  ManagedByLabel,
  ManagedByValue,
  OperationLabel,
} from '../api/v1alpha1/meta.ts';
import type { ExecutorChoice } from './executor-policy.ts';
import { KubernetesVersionAnnotation, NodesAnnotation, TargetAnnotation } from './observed-job.ts';
import type { RunPlan } from './operation.ts';

// The playbook each operation runs, relative to playbooks/ in the executor image.
export const playbookFor: Record<Operation, string> = {
  install: 'cluster.yml',
  scale: 'scale.yml',
  'remove-node': 'remove-node.yml',
  upgrade: 'upgrade.yml',
  reset: 'reset.yml',
};

export const inventoryKey = 'inventory.yaml';

export function inventoryConfigMapName(plan: RunPlan): string {
  return `${plan.jobName}-inventory`;
}

function ownerReference(cluster: Cluster) {
  return {
    apiVersion: API_VERSION,
    kind: 'Cluster',
    name: cluster.metadata.name,
    uid: cluster.metadata.uid as string,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function runLabels(cluster: Cluster, plan: RunPlan): Record<string, string> {
  return {
    [ManagedByLabel]: ManagedByValue,
    [ClusterLabel]: cluster.metadata.name,
    [OperationLabel]: plan.operation,
    [AttemptLabel]: String(plan.attempt),
  };
}

// The inventory of one run: immutable, named after its Job, owned by the Cluster.
export function buildInventoryConfigMap(
  cluster: Cluster,
  plan: RunPlan,
  inventory: string,
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: inventoryConfigMapName(plan),
      namespace: cluster.metadata.namespace,
      labels: runLabels(cluster, plan),
      ownerReferences: [ownerReference(cluster)],
    },
    immutable: true,
    data: { [inventoryKey]: inventory },
  };
}

export interface ExecutorSettings {
  image: string;
  // Images a ClusterDeployment's spec.executorImage may name besides `image`, and the Secrets its
  // spec.sshKeySecret may name (executor-policy.ts); both from the operator's flags.
  allowedImages?: string[];
  allowedSshKeySecrets?: string[];
  serviceAccountName?: string;
  activeDeadlineSeconds: number;
  // A playbook in the executor image run after a successful install, scale or upgrade, in the same
  // ansible-playbook invocation: it publishes the workload kubeconfig Secret `<cluster>-kubeconfig`
  // with the Job's service account (operator/executor/publish-kubeconfig.yml).
  publishKubeconfigPlaybook?: string;
}

const publishesKubeconfig: ReadonlySet<Operation> = new Set(['install', 'scale', 'upgrade']);

// The Job that runs ansible-playbook once: backoffLimit 0 (a failed playbook is reported, not
// silently re-run), the SSH key Secret mounted read-only, the inventory ConfigMap mounted, labels
// naming cluster, operation and attempt. Pure.
export function buildPlaybookJob(
  cluster: Cluster,
  plan: RunPlan,
  executor: ExecutorSettings,
  choice: ExecutorChoice = { image: executor.image, sshKeySecret: cluster.spec.sshKeySecret },
): Record<string, unknown> {
  const labels = runLabels(cluster, plan);
  const args = [
    '-i',
    `/etc/kvmatrix/inventory/${inventoryKey}`,
    '--private-key',
    '/etc/kvmatrix/ssh/ssh-privatekey',
    ...(plan.limit ? ['--limit', plan.limit.join(',')] : []),
    ...(plan.operation === 'remove-node' ? ['-e', `node=${plan.nodes.join(',')}`] : []),
    `/opt/kvmatrix/playbooks/${playbookFor[plan.operation]}`,
    ...(executor.publishKubeconfigPlaybook && publishesKubeconfig.has(plan.operation)
      ? [executor.publishKubeconfigPlaybook]
      : []),
  ];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: plan.jobName,
      namespace: cluster.metadata.namespace,
      labels,
      annotations: {
        [TargetAnnotation]: plan.target,
        [NodesAnnotation]: plan.nodes.join(','),
        [KubernetesVersionAnnotation]: plan.kubernetesVersion,
      },
      ownerReferences: [ownerReference(cluster)],
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: executor.activeDeadlineSeconds,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          ...(executor.serviceAccountName ? { serviceAccountName: executor.serviceAccountName } : {}),
          automountServiceAccountToken: Boolean(executor.serviceAccountName),
          securityContext: { runAsNonRoot: false },
          containers: [
            {
              name: 'ansible-playbook',
              image: choice.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['ansible-playbook'],
              args,
              env: [
                { name: 'ANSIBLE_HOST_KEY_CHECKING', value: 'False' },
                { name: 'ANSIBLE_FORCE_COLOR', value: 'False' },
                { name: 'KVMATRIX_CLUSTER', value: cluster.metadata.name },
                { name: 'KVMATRIX_OPERATION', value: plan.operation },
              ],
              terminationMessagePolicy: 'FallbackToLogsOnError',
              volumeMounts: [
                { name: 'inventory', mountPath: '/etc/kvmatrix/inventory', readOnly: true },
                { name: 'ssh-key', mountPath: '/etc/kvmatrix/ssh', readOnly: true },
              ],
              resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '1Gi' } },
            },
          ],
          volumes: [
            { name: 'inventory', configMap: { name: inventoryConfigMapName(plan) } },
            { name: 'ssh-key', secret: { secretName: choice.sshKeySecret, defaultMode: 0o400 } },
          ],
        },
      },
    },
  };
}
