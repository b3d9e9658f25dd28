import { randomBytes } from 'node:crypto';
import { UsageError } from '../contracts/errors.ts';
import type { RunIdentity } from '../contracts/machine.ts';

// The one label scheme of kvmatrix: every resource it creates carries these, so that `reap` finds
// what a dead run left behind. Kubernetes label keys (a DNS prefix and a name), so the same names
// serve podman containers, networks and volumes, QEMU links and firewall rules, and the KubeVirt
// provider's namespaces and VMs (which add the Kubernetes-only ones).
export const LABEL_RUN = 'kvmatrix.io/run-id';
export const LABEL_CELL = 'kvmatrix.io/cell';
export const LABEL_PIPELINE = 'kvmatrix.io/pipeline';
export const LABEL_JOB = 'kvmatrix.io/job';
export const LABEL_MACHINE = 'kvmatrix.io/machine';
export const LABEL_PROVIDER = 'kvmatrix.io/provider';
// Local resources: when they were made (ISO time; not a valid Kubernetes label value).
export const LABEL_CREATED = 'kvmatrix.io/created';
// The pid of the harness process that made the resources: `reap` spares a run whose owner lives.
export const LABEL_OWNER = 'kvmatrix.io/owner';
// Kubernetes resources: Unix seconds after which `reap` may remove them whatever else it knows.
export const LABEL_EXPIRES_AT = 'kvmatrix.io/expires-at';

const runIdPattern = /^[a-z0-9][a-z0-9-]{0,19}$/;

// A short id, safe in host names, interface names (with a prefix) and file names.
export function newRunId(): string {
  return `r${Date.now().toString(36).slice(-5)}${randomBytes(3).toString('hex')}`;
}

export function assertRunId(runId: string): void {
  if (!runIdPattern.test(runId)) {
    throw new UsageError(`run id "${runId}" is not valid: expected 1-20 of [a-z0-9-], starting alphanumeric`);
  }
}

export function labelsFor(id: RunIdentity, created: Date = new Date()): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL_RUN]: id.runId,
    [LABEL_CELL]: id.cell,
    [LABEL_CREATED]: created.toISOString(),
    [LABEL_OWNER]: String(process.pid),
  };
  if (id.pipeline) labels[LABEL_PIPELINE] = id.pipeline;
  if (id.job) labels[LABEL_JOB] = id.job;
  return labels;
}

// Machine names become host names and resource names: keep them DNS labels.
export function assertMachineName(name: string): void {
  if (!/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/.test(name)) {
    throw new UsageError(
      `machine name "${name}" is not valid: expected a DNS label of [a-z0-9-], at most 32`,
    );
  }
}

// Whether the process that owns a run is alive (and not this one): its resources are in use.
export function isOwnerAlive(owner: string | undefined): boolean {
  const pid = Number(owner);
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
