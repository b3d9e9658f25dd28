import type { ExecutorSettings } from './playbook-job.ts';

// Which image runs a cluster's playbook Job and which Secret it mounts is the operator's
// decision, not a ClusterDeployment's: the Job runs under the executor's service account, which
// reads and patches the Secrets of its namespace, so whoever may create a ClusterDeployment could
// otherwise run any image with any Secret of the namespace mounted. A spec may name an image or a
// Secret only from the operator's allow-lists (`--allowed-executor-images`,
// `--allowed-ssh-key-secrets`); the operator's own image is always allowed. Pure.
export interface ExecutorChoice {
  image: string;
  sshKeySecret: string;
}

export type ExecutorDecision = { allowed: true; choice: ExecutorChoice } | { allowed: false; reason: string };

export function decideExecutor(
  spec: { executorImage?: string; sshKeySecret: string },
  executor: ExecutorSettings,
): ExecutorDecision {
  const image = spec.executorImage ?? executor.image;
  if (image !== executor.image && !(executor.allowedImages ?? []).includes(image)) {
    return {
      allowed: false,
      reason: `spec.executorImage "${image}" is not allowed: the operator runs ${executor.image} and the images of --allowed-executor-images only`,
    };
  }
  if (!(executor.allowedSshKeySecrets ?? []).includes(spec.sshKeySecret)) {
    return {
      allowed: false,
      reason: `spec.sshKeySecret "${spec.sshKeySecret}" is not allowed: the operator mounts only the Secrets of --allowed-ssh-key-secrets`,
    };
  }
  return { allowed: true, choice: { image, sshKeySecret: spec.sshKeySecret } };
}
