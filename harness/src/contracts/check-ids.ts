// The checks a scenario step may name, listed once, in the order they run: cheapest first, so the
// first failure is the most basic one. The matrix schema's enum (matrix/schema/matrix.schema.json)
// is tested against this list; checks/ holds one check for each.
export const CHECK_IDS = [
  'apiserver',
  'nodes-ready',
  'system-pods',
  'pod-network',
  'service-dns',
  'e2e',
  'conformance',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

// The given checks in run order, each once.
export function orderChecks(ids: readonly CheckId[]): CheckId[] {
  return CHECK_IDS.filter((id) => ids.includes(id));
}
