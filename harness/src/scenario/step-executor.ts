import type { StepResult } from '../contracts/result-record.ts';
import type { Progress } from '../host/progress.ts';
import type { LayoutNode, Step } from '../matrix/model.ts';
import type { Machine } from '../providers/provider.ts';

// What an executor of one step gets from the run: the step, the layout and its machines with
// the membership in force (after the step's joins), the inventory and --limit for a playbook,
// the mirror, kubectl and the probe image for checks, and where its logs go.
export interface StepRun {
  step: Step;
  stepIndex: number;
  nodes: LayoutNode[];
  machines: Machine[];
  // Layout nodes not members now (held back, removed, or reset).
  pending: ReadonlySet<string>;
  inventoryFile: string;
  limit: string | undefined;
  vars: Record<string, unknown>;
  artifactUrl: string;
  registry: string;
  kubectl: string;
  probeImage: string;
  runDir: string;
  logDir: string;
  timeoutMs: number;
  signal: AbortSignal;
  progress: Progress;
}

export type StepVerdict = 'passed' | 'product-failure' | 'infrastructure-failure' | 'interrupted';

export interface StepExecution {
  result: StepResult;
  verdict: StepVerdict;
}

// Runs one step and classifies it; never throws for a product failure (the verdict says it).
export type StepExecutor = (run: StepRun) => Promise<StepExecution>;
