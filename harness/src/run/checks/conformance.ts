import type { Check } from './check.ts';
import { runE2eSuite } from './e2e-runner.ts';

// The release gate's conformance run: every [Conformance] spec that can run in parallel without
// disrupting the cluster (upstream's non-serial conformance pass). [Serial] and [Disruptive]
// specs are left out: they need the cluster to themselves or break nodes on purpose. What is
// skipped here and why: harness/src/run/checks/README.md.
export const CONFORMANCE_FOCUS = '\\[Conformance\\]';
export const CONFORMANCE_SKIP = '\\[Serial\\]|\\[Disruptive\\]|\\[Flaky\\]';

export const conformanceCheck: Check = {
  id: 'conformance',
  title: 'conformance: non-disruptive [Conformance] specs',
  run: (ctx) =>
    runE2eSuite(ctx, {
      label: 'conformance',
      focus: CONFORMANCE_FOCUS,
      skip: CONFORMANCE_SKIP,
      procs: 4,
      timeoutMs: 180 * 60_000,
    }),
};
