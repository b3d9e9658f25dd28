import type { Check } from './check.ts';
import { runE2eSuite } from './e2e-runner.ts';

// The merge-request focus of Kubernetes' e2e suite: sig-network's granular checks (pod-to-pod,
// node-to-pod, services over http and udp, endpoints, session affinity), which say more about a
// deployment's network than the harness's own probes. SCTP specs ([Feature:SCTPConnectivity])
// need a kernel module the node containers cannot load; [Slow] ones wait minutes on nodePort
// changes and run in the release tier's conformance check instead.
export const E2E_FOCUS = '\\[sig-network\\] Networking Granular Checks';
export const E2E_SKIP = '\\[Feature:|\\[Slow\\]|\\[Serial\\]|\\[Disruptive\\]|\\[Flaky\\]';

export const e2eCheck: Check = {
  id: 'e2e',
  title: 'e2e: [sig-network] Networking Granular Checks',
  run: (ctx) =>
    runE2eSuite(ctx, {
      label: 'networking granular checks',
      focus: E2E_FOCUS,
      skip: E2E_SKIP,
      procs: 4,
      timeoutMs: 45 * 60_000,
    }),
};
