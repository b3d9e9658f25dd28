import type { CheckId } from '../contracts/check-ids.ts';
import { apiserverCheck } from './apiserver.ts';
import type { Check } from './check.ts';
import { conformanceCheck } from './conformance.ts';
import { e2eCheck } from './e2e.ts';
import { nodesReadyCheck } from './nodes-ready.ts';
import { podNetworkCheck } from './pod-network.ts';
import { serviceDnsCheck } from './service-dns.ts';
import { systemPodsCheck } from './system-pods.ts';

// One check for each id of contracts/check-ids.ts (the type makes a missing one an error).
export const checks: Record<CheckId, Check> = {
  apiserver: apiserverCheck,
  'nodes-ready': nodesReadyCheck,
  'system-pods': systemPodsCheck,
  'pod-network': podNetworkCheck,
  'service-dns': serviceDnsCheck,
  e2e: e2eCheck,
  conformance: conformanceCheck,
};
