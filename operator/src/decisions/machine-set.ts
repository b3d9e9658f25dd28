import { type ConditionInput, setConditions } from '../api/v1alpha1/condition.ts';
import type { Machine } from '../api/v1alpha1/machine.ts';
import {
  InsufficientMachinesReason,
  type MachineSet,
  MachineSetMachinesBoundCondition,
  MachineSetReadyCondition,
  type MachineSetStatus,
  MachinesBoundReason,
  MachinesNotReadyReason,
  MachinesReadyReason,
  ReleasingMachinesReason,
} from '../api/v1alpha1/machine-set.ts';
import type { LabelSelector } from '../api/v1alpha1/meta.ts';

export function matchesSelector(
  labels: Record<string, string> | undefined,
  selector: LabelSelector,
): boolean {
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v);
}

// Idle: nobody claims it, nothing is deployed on it, and it is not going away.
export function isIdle(machine: Machine): boolean {
  return !machine.spec.claimRef && !machine.status?.deployment && !machine.metadata.deletionTimestamp;
}

export interface MachineSetPlan {
  // Candidates to claim, in the order to try them; stop after `claimCount` successes.
  candidates: string[];
  claimCount: number;
  // Still deployed: mark releaseRequested so the install controller removes the node first.
  requestRelease: string[];
  // Not deployed (any more): drop the claim, the machine becomes Idle.
  release: string[];
  removeFinalizer: boolean;
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

// Orders candidates by name, rotated by a hash of the set's identity, so that many sets claiming
// at once start at different machines instead of all fighting over the first one.
export function orderCandidates(names: string[], seed: string): string[] {
  const sorted = [...names].sort();
  if (sorted.length === 0) return sorted;
  const start = hashString(seed) % sorted.length;
  return [...sorted.slice(start), ...sorted.slice(0, start)];
}

// What a MachineSet should do, given the machines it claims and the Idle machines in its
// namespace. Pure: the caller performs the writes (claims guarded by resourceVersion).
export function planMachineSet(set: MachineSet, claimed: Machine[], idle: Machine[]): MachineSetPlan {
  const deleting = Boolean(set.metadata.deletionTimestamp);
  const plan: MachineSetPlan = {
    candidates: [],
    claimCount: 0,
    requestRelease: [],
    release: [],
    removeFinalizer: false,
  };
  const active = claimed.filter((m) => !m.spec.claimRef?.releaseRequested);
  const releasing = claimed.filter((m) => m.spec.claimRef?.releaseRequested);
  for (const m of releasing) if (!m.status?.deployment) plan.release.push(m.metadata.name);

  let surplus: Machine[] = [];
  if (deleting) surplus = active;
  else if (active.length > set.spec.replicas) {
    // Give back machines that carry nothing first, then the newest.
    const ranked = [...active].sort(
      (a, b) =>
        Number(Boolean(a.status?.deployment)) - Number(Boolean(b.status?.deployment)) ||
        b.metadata.name.localeCompare(a.metadata.name),
    );
    surplus = ranked.slice(0, active.length - set.spec.replicas);
  } else if (active.length < set.spec.replicas) {
    plan.claimCount = set.spec.replicas - active.length;
    const eligible = idle.filter((m) => matchesSelector(m.metadata.labels, set.spec.selector));
    plan.candidates = orderCandidates(
      eligible.map((m) => m.metadata.name),
      set.metadata.uid ?? set.metadata.name,
    );
  }
  for (const m of surplus) (m.status?.deployment ? plan.requestRelease : plan.release).push(m.metadata.name);
  plan.removeFinalizer =
    deleting && claimed.length === plan.release.length && plan.requestRelease.length === 0;
  return plan;
}

// The MachineSet's status, computed in one place from what it claims.
export function computeMachineSetStatus(set: MachineSet, claimed: Machine[], now: string): MachineSetStatus {
  const active = claimed.filter((m) => !m.spec.claimRef?.releaseRequested);
  const ready = active.filter((m) => m.status?.phase === 'Ready').length;
  const releasing = claimed.length - active.length;
  const want = set.spec.replicas;
  const generation = set.metadata.generation;
  const bound: ConditionInput =
    active.length < want
      ? {
          type: MachineSetMachinesBoundCondition,
          status: 'False',
          reason: InsufficientMachinesReason,
          message: `${active.length} of ${want} machines bound; waiting for Idle machines matching the selector`,
          observedGeneration: generation,
        }
      : active.length > want || releasing > 0
        ? {
            type: MachineSetMachinesBoundCondition,
            status: 'False',
            reason: ReleasingMachinesReason,
            message: `${active.length + releasing} machines claimed, ${want} wanted; releasing the rest`,
            observedGeneration: generation,
          }
        : {
            type: MachineSetMachinesBoundCondition,
            status: 'True',
            reason: MachinesBoundReason,
            message: `${want} machines bound`,
            observedGeneration: generation,
          };
  const readyCondition: ConditionInput = {
    type: MachineSetReadyCondition,
    status: ready === want && active.length === want ? 'True' : 'False',
    reason: ready === want && active.length === want ? MachinesReadyReason : MachinesNotReadyReason,
    message: `${ready} of ${want} machines Ready`,
    observedGeneration: generation,
  };
  return {
    observedGeneration: generation,
    replicas: active.length,
    readyReplicas: ready,
    machines: active.map((m) => m.metadata.name).sort(),
    conditions: setConditions(set.status?.conditions, [bound, readyCondition], now),
  };
}
