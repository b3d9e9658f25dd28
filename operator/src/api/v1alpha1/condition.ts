import type { SchemaProps } from './meta.ts';

// metav1.Condition, as every kvmatrix status carries them.
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

// What a reconcile computes; lastTransitionTime is filled in by setCondition.
export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

export const conditionsSchema: SchemaProps = {
  type: 'array',
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
  items: {
    type: 'object',
    required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'],
    properties: {
      type: {
        type: 'string',
        maxLength: 316,
        pattern:
          '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
      },
      status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
      reason: {
        type: 'string',
        minLength: 1,
        maxLength: 1024,
        pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
      },
      message: { type: 'string', maxLength: 32768 },
      lastTransitionTime: { type: 'string', format: 'date-time' },
      observedGeneration: { type: 'integer', minimum: 0 },
    },
  },
};

// Merges computed conditions into the previous list. lastTransitionTime moves only when a
// condition's status flips; a changed reason or message alone keeps the old time. Pure.
export function setConditions(
  previous: Condition[] | undefined,
  next: ConditionInput[],
  now: string,
): Condition[] {
  const byType = new Map((previous ?? []).map((c) => [c.type, c]));
  const merged: Condition[] = next.map((input) => {
    const old = byType.get(input.type);
    const lastTransitionTime = old && old.status === input.status ? old.lastTransitionTime : now;
    return { ...input, lastTransitionTime };
  });
  // Conditions this reconcile did not compute (set by an earlier version) are kept as they were.
  for (const old of previous ?? []) if (!next.some((c) => c.type === old.type)) merged.push(old);
  return merged.sort((a, b) => a.type.localeCompare(b.type));
}

export function findCondition(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(conditions: Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}
