import { createHash } from 'node:crypto';
import type { RunIdentity } from '../../contracts/machine.ts';
import {
  LABEL_CELL,
  LABEL_EXPIRES_AT,
  LABEL_JOB,
  LABEL_PIPELINE,
  LABEL_PROVIDER,
  LABEL_RUN,
} from '../../host/labels.ts';

// Labels and names of everything the kubevirt provider creates. They are how `down` finds a run's
// namespace without local state and how `reap` finds what a dead job left behind.
export const labelManagedBy = 'app.kubernetes.io/managed-by';
export const managedByValue = 'kvmatrix';
export const annotationCell = LABEL_CELL;
// "<namespace>/<name>" of the sentinel ConfigMap owned by the runner's pod, when there is one.
export const annotationSentinel = 'kvmatrix.io/sentinel';
export const annotationRunnerPod = 'kvmatrix.io/runner-pod';

export const providerSelector = `${labelManagedBy}=${managedByValue},${LABEL_PROVIDER}=kubevirt`;

// A label value: at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric.
export function toLabelValue(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9._-]+/g, '-');
  const trimmed = cleaned.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
  if (trimmed.length <= 63) return trimmed;
  const hash = shortHash(value);
  return `${trimmed.slice(0, 54).replace(/[^A-Za-z0-9]+$/, '')}-${hash}`;
}

// A DNS-1123 label (namespace, VM name): lower case, at most `max` characters.
export function toDnsLabel(value: string, max = 63): string {
  const cleaned = value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (cleaned.length <= max) return cleaned || shortHash(value);
  return `${cleaned.slice(0, max - 9).replace(/-+$/, '')}-${shortHash(value)}`;
}

export function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 8);
}

// The run's namespace: deterministic, so `down` needs nothing but the identity.
export function namespaceFor(id: RunIdentity): string {
  return toDnsLabel(`kvm-${id.runId}`, 63);
}

export function identityLabels(id: RunIdentity): Record<string, string> {
  const labels: Record<string, string> = {
    [labelManagedBy]: managedByValue,
    [LABEL_PROVIDER]: 'kubevirt',
    [LABEL_RUN]: toLabelValue(id.runId),
    [LABEL_CELL]: toLabelValue(id.cell),
  };
  if (id.pipeline) labels[LABEL_PIPELINE] = toLabelValue(id.pipeline);
  if (id.job) labels[LABEL_JOB] = toLabelValue(id.job);
  return labels;
}

export function expiryLabel(now: Date, ttlMs: number): string {
  return String(Math.floor((now.getTime() + ttlMs) / 1000));
}

// The expiry a namespace carries, or undefined when the label is missing or malformed.
export function readExpiry(labels: Record<string, string> | undefined): Date | undefined {
  const raw = labels?.[LABEL_EXPIRES_AT];
  if (!raw || !/^\d+$/.test(raw)) return undefined;
  return new Date(Number(raw) * 1000);
}
