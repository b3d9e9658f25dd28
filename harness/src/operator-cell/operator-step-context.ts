import type { Progress } from '../host/progress.ts';
import type { LayoutNode, Step } from '../matrix/model.ts';
import type { Machine } from '../providers/provider.ts';

// What an operator step needs from the run: the layout and its machines, the mirror, kubectl and
// the probe image for the checks, where logs and the run's files go.
export interface OperatorStepContext {
  step: Step;
  stepIndex: number;
  nodes: LayoutNode[];
  machines: Machine[];
  // Layout nodes not yet joined (the run's pending set after this step's additions).
  pending: ReadonlySet<string>;
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
