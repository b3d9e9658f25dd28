import type { Check } from './check.ts';
import { runE2eSuite } from './e2e-runner.ts';

// The release gate's conformance run: every [Conformance] spec that can run in parallel without
// disrupting the cluster (upstream's non-serial conformance pass). [Serial] and [Disruptive]
// specs are left out: they need the cluster to themselves or break nodes on purpose. What is
// skipped here and why: harness/src/run/checks/README.md.
export const CONFORMANCE_FOCUS = '\\[Conformance\\]';

// What the check leaves out of the conformance set, and why (`kvmatrix conformance list` prints
// every spec with the first of these that matches its full text).
export const CONFORMANCE_SKIPS: ReadonlyArray<{ pattern: string; reason: string }> = [
  {
    pattern: '\\[Serial\\]',
    reason:
      'needs the cluster to itself: upstream runs it in a second, serial pass, which this check does not',
  },
  { pattern: '\\[Disruptive\\]', reason: 'disrupts the cluster on purpose (restarts or breaks nodes)' },
  { pattern: '\\[Flaky\\]', reason: 'marked flaky upstream' },
  {
    // The stand-in busybox image's /bin/sh is bash (Debian's busybox shell drops environment names
    // that are not identifiers, which four ConfigMap/Secret specs read); this spec compares the
    // shell's error text word for word.
    pattern: 'Kubelet when scheduling a read only busybox container should not write to root filesystem',
    reason:
      "compares busybox ash's error text (\"can't create /file\"); the stand-in busybox image's /bin/sh is bash, so the write is refused with bash's wording",
  },
  {
    pattern: 'Aggregator Should be able to support the 1.17 Sample API Server',
    reason:
      'needs the sample-apiserver image and etcd:3.6.4-0, which the offline mirror does not hold (not built from the module proxy)',
  },
];
export const CONFORMANCE_SKIP = CONFORMANCE_SKIPS.map((s) => s.pattern).join('|');

export const conformanceCheck: Check = {
  id: 'conformance',
  title: 'conformance: non-disruptive [Conformance] specs',
  run: (ctx) =>
    runE2eSuite(ctx, {
      label: 'conformance',
      focus: CONFORMANCE_FOCUS,
      skip: CONFORMANCE_SKIP,
      // The specs mostly wait on the cluster; six processes keep two 2-core nodes busy enough.
      procs: 6,
      timeoutMs: 180 * 60_000,
    }),
};
