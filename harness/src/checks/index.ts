import type { CheckId } from '../matrix/model.ts';
import { apiserverCheck } from './apiserver.ts';
import type { Check } from './check.ts';
import { conformanceCheck } from './conformance.ts';
import { e2eCheck } from './e2e.ts';
import { nodesReadyCheck } from './nodes-ready.ts';
import { podNetworkCheck } from './pod-network.ts';
import { serviceDnsCheck } from './service-dns.ts';
import { systemPodsCheck } from './system-pods.ts';

// Checks in the order they run: cheapest first, so the first failure is the most basic one.
export const CHECK_ORDER: CheckId[] = [
  'apiserver',
  'nodes-ready',
  'system-pods',
  'pod-network',
  'service-dns',
  'e2e',
  'conformance',
];

export const checks: Partial<Record<CheckId, Check>> = {
  apiserver: apiserverCheck,
  'nodes-ready': nodesReadyCheck,
  'system-pods': systemPodsCheck,
  'pod-network': podNetworkCheck,
  'service-dns': serviceDnsCheck,
  e2e: e2eCheck,
  conformance: conformanceCheck,
};

export function orderChecks(ids: CheckId[]): CheckId[] {
  return CHECK_ORDER.filter((id) => ids.includes(id));
}
