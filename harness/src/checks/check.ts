import type { KubeConfig } from '@kubernetes/client-node';
import type { CheckId } from '../contracts/check-ids.ts';
import type { SpecCounts, SpecResult } from '../contracts/result-record.ts';
import type { Progress } from '../host/progress.ts';
import type { LayoutNode } from '../matrix/model.ts';
import type { Machine } from '../providers/provider.ts';

// What a check may look at: the cluster through its API (and kubectl for exec), the machines,
// and what the cell expects (version, which nodes are members right now).
export interface CheckContext {
  kubeConfig: KubeConfig;
  kubeconfigFile: string;
  kubectl: string;
  machines: Machine[];
  members: LayoutNode[];
  expectedVersion: string;
  probeImage: string;
  // The mirror's registry as the machines reach it (host:port, plain HTTP); the e2e checks point
  // the test images there. Absent: taken from vars.kvmatrix_registry.
  registry?: string;
  // The step's variables: checks verify the settings they name (e.g. kubelet_max_pods).
  vars: Record<string, unknown>;
  signal: AbortSignal;
  // Where a long check tells how far it is (the e2e suites: specs done of specs selected).
  progress?: Pick<Progress, 'info' | 'detail'>;
}

// What a check that runs a test suite reports besides its evidence.
export interface SuiteOutcome {
  specCounts: SpecCounts;
  specs: SpecResult[];
}

// A check failed: the message says what was expected, the evidence shows what was seen.
export class CheckFailure extends Error {
  readonly evidence: string | undefined;
  readonly suite: SuiteOutcome | undefined;
  constructor(message: string, evidence?: string, suite?: SuiteOutcome) {
    super(message);
    this.name = 'CheckFailure';
    this.evidence = evidence;
    this.suite = suite;
  }
}

// A check passes with its evidence, and a suite's specs when it ran one.
export type CheckOutput = string | ({ evidence: string } & SuiteOutcome);

export interface Check {
  id: CheckId;
  title: string;
  run(ctx: CheckContext): Promise<CheckOutput>;
}

// Polls `probe` until it returns a value or the deadline passes; the last error is the failure.
export async function eventually<T>(
  signal: AbortSignal,
  timeoutMs: number,
  probe: () => Promise<T>,
  intervalMs = 2000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (signal.aborted) throw error;
      if (Date.now() + intervalMs > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
