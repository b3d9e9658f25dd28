import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../contracts/errors.ts';
import { repoRoot } from '../../host/paths.ts';

// Who the harness runs as inside the CI cluster: the GitLab Kubernetes executor's job pod.
export interface RunnerPod {
  namespace: string;
  name: string;
}

export interface KubevirtOptions {
  // A kubeconfig file; unset: $KUBECONFIG, ~/.kube/config, or the in-cluster service account.
  kubeconfig?: string;
  // Where the per-OS VirtualMachine templates live (vm-templates/os/<os>.yaml).
  templatesDir: string;
  // Overrides the golden images' namespace the templates name (sourceRef.namespace).
  imageNamespace?: string;
  storageClass?: string;
  // A VirtualMachineClusterInstancetype to size every VM with instead of the cell's sizes.
  instancetype?: string;
  // How long a namespace may live before `reap` removes it regardless (the expiry label).
  ttlMs: number;
  runner?: RunnerPod;
  // The port SSH listens on at the VMI's address (22; tests point it at a local sshd).
  sshPort: number;
  readyTimeoutMs: number;
  // How many VMs are created at once.
  concurrency: number;
  now: () => Date;
}

const serviceAccountNamespaceFile = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

// Reads the provider's settings from the environment (KVMATRIX_KUBEVIRT_*, KVMATRIX_RUNNER_*).
// The runner's pod: KVMATRIX_RUNNER_POD/KVMATRIX_RUNNER_NAMESPACE (set them from the downward API
// in the runner's pod spec), else, inside a pod, HOSTNAME (Kubernetes sets it to the pod's name)
// and the service account's namespace file.
export function readKubevirtOptions(env: NodeJS.ProcessEnv = process.env): KubevirtOptions {
  const options: KubevirtOptions = {
    templatesDir: env.KVMATRIX_KUBEVIRT_TEMPLATES ?? path.join(repoRoot, 'vm-templates', 'os'),
    ttlMs: readDuration(env, 'KVMATRIX_KUBEVIRT_TTL', 3 * 3600_000),
    sshPort: readInteger(env, 'KVMATRIX_KUBEVIRT_SSH_PORT', 22),
    readyTimeoutMs: readDuration(env, 'KVMATRIX_KUBEVIRT_READY_TIMEOUT', 20 * 60_000),
    concurrency: readInteger(env, 'KVMATRIX_KUBEVIRT_CONCURRENCY', 4),
    now: () => new Date(),
  };
  if (env.KVMATRIX_KUBECONFIG) options.kubeconfig = env.KVMATRIX_KUBECONFIG;
  if (env.KVMATRIX_KUBEVIRT_IMAGE_NAMESPACE) options.imageNamespace = env.KVMATRIX_KUBEVIRT_IMAGE_NAMESPACE;
  if (env.KVMATRIX_KUBEVIRT_STORAGE_CLASS) options.storageClass = env.KVMATRIX_KUBEVIRT_STORAGE_CLASS;
  if (env.KVMATRIX_KUBEVIRT_INSTANCETYPE) options.instancetype = env.KVMATRIX_KUBEVIRT_INSTANCETYPE;
  const runner = readRunnerPod(env);
  if (runner) options.runner = runner;
  return options;
}

function readRunnerPod(env: NodeJS.ProcessEnv): RunnerPod | undefined {
  const inPod = Boolean(env.KUBERNETES_SERVICE_HOST) && existsSync(serviceAccountNamespaceFile);
  const name = env.KVMATRIX_RUNNER_POD ?? (inPod ? env.HOSTNAME : undefined);
  const namespace =
    env.KVMATRIX_RUNNER_NAMESPACE ??
    (inPod ? readFileSync(serviceAccountNamespaceFile, 'utf8').trim() : undefined);
  if (!name && !namespace) return undefined;
  if (!name || !namespace) {
    throw new UsageError(
      `KVMATRIX_RUNNER_POD and KVMATRIX_RUNNER_NAMESPACE must be set together (got ${name ? 'only the pod' : 'only the namespace'})`,
      { hint: 'set both from the downward API (metadata.name, metadata.namespace), or neither' },
    );
  }
  return { name, namespace };
}

// "90m", "3h", "45s" or plain milliseconds.
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 }[match[2] ?? 'ms'] ?? 1;
  return Math.round(Number(match[1]) * unit);
}

function readDuration(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = parseDuration(raw);
  if (value === undefined) {
    throw new UsageError(`${name}=${JSON.stringify(raw)} is not a duration`, {
      hint: 'use e.g. 90m, 3h or 45s',
    });
  }
  return value;
}

function readInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new UsageError(`${name}=${JSON.stringify(raw)} is not a positive integer`);
  }
  return Number(raw);
}
