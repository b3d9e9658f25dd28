import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkMembers } from '../checks/run-checks.ts';
import { isManaged } from '../contracts/machine.ts';
import type { CellOutcome, StepResult } from '../contracts/result-record.ts';
import { stringifySafeYaml } from '../contracts/safe-yaml.ts';
import type { Progress } from '../host/progress.ts';
import type { LayoutNode, Step } from '../matrix/model.ts';
import type { Machine } from '../providers/provider.ts';
import { buildInventory, limitFor } from './inventory.ts';
import type { StepExecutor, StepVerdict } from './step-executor.ts';
import { type ExecutorName, STEP_KINDS } from './step-kinds.ts';
import { resolveStepVars } from './step-vars.ts';

// The part of a run's state the scenario keeps up to date (the run state on disk has these
// fields): membership, the inventory and kubeconfig files, how far it got.
export interface ScenarioState {
  machines: Machine[];
  pending: string[];
  inventoryFile?: string;
  kubeconfigFile?: string;
  failedStep?: string;
  completedSteps: string[];
}

export interface ScenarioInput {
  nodes: LayoutNode[];
  steps: Step[];
  cellVars: Record<string, unknown>;
  stepTimeoutMinutes: number;
  // Re-run from this step (an earlier `--keep` run's machines): the steps before it are not run,
  // but their parameter changes stay in force.
  fromStep?: string;
  state: ScenarioState;
  // Persists `state` (called whenever it changed, before and after each step).
  saveState: () => Promise<void>;
  executors: Record<ExecutorName, StepExecutor>;
  artifactUrl: string;
  registry: string;
  kubectl: string;
  probeImage: string;
  runDir: string;
  logDir: string;
  signal: AbortSignal;
  progress: Progress;
}

export interface ScenarioResult {
  steps: StepResult[];
  outcome: CellOutcome;
}

const cellOutcomeOf: Record<Exclude<StepVerdict, 'passed'>, CellOutcome> = {
  interrupted: 'interrupted',
  'infrastructure-failure': 'infra-failed',
  'product-failure': 'failed',
};

// Runs a cell's steps in order: for each, the membership changes its kind makes before it, the
// inventory, its executor, the changes after it, then the checks it names against the member
// nodes (cheapest first). Stops at the first failure; the rest are reported skipped.
export async function runScenario(input: ScenarioInput): Promise<ScenarioResult> {
  const { nodes, steps, state, signal } = input;
  const results: StepResult[] = [];
  let outcome: CellOutcome = 'passed';
  const pending = new Set(state.pending);
  // A parameter change is a change of the cell's configuration: later steps keep its variables.
  let carried: Record<string, unknown> = {};
  const startIndex = input.fromStep ? steps.findIndex((s) => s.id === input.fromStep) : 0;
  for (const [index, step] of steps.entries()) {
    const kind = STEP_KINDS[step.kind];
    if (index < startIndex) {
      if (kind.carriesVars) carried = { ...carried, ...step.vars };
      continue;
    }
    if (signal.aborted) break;
    for (const n of kind.joins?.(step, nodes) ?? []) pending.delete(n);
    state.pending = [...pending];
    const inventory = buildInventory(nodes, state.machines, input.cellVars, pending);
    state.inventoryFile = path.join(input.runDir, 'inventory.yml');
    await writeFile(state.inventoryFile, stringifySafeYaml(inventory), { mode: 0o600 });
    await input.saveState();
    const vars = resolveStepVars({ ...input.cellVars, ...carried }, step, {
      kvmatrix_artifact_url: input.artifactUrl,
      kvmatrix_registry: input.registry,
    });
    const { result, verdict } = await input.executors[kind.executor]({
      step,
      stepIndex: index,
      nodes,
      machines: state.machines,
      pending,
      inventoryFile: state.inventoryFile,
      limit: limitFor(step.limit ?? kind.limit?.(step), pending),
      vars,
      artifactUrl: input.artifactUrl,
      registry: input.registry,
      kubectl: input.kubectl,
      probeImage: input.probeImage,
      runDir: input.runDir,
      logDir: input.logDir,
      timeoutMs: (step.timeoutMinutes ?? input.stepTimeoutMinutes) * 60_000,
      signal,
      progress: input.progress,
    });
    results.push(result);
    if (verdict !== 'passed') {
      outcome = cellOutcomeOf[verdict];
      state.failedStep = step.id;
      break;
    }
    if (kind.carriesVars) carried = { ...carried, ...step.vars };
    for (const n of kind.leaves?.(step, nodes) ?? []) pending.add(n);
    // The operator's executor checks the cluster it built; the others are checked here.
    const members = nodes.filter((n) => !pending.has(n.name) && !isManaged(n));
    if (kind.executor !== 'operator' && step.checks.length > 0 && members.length > 0) {
      const checked = await checkMembers({
        ids: step.checks,
        runDir: input.runDir,
        kubectl: input.kubectl,
        machines: state.machines,
        members,
        expectedVersion: String(vars.kube_version ?? ''),
        probeImage: input.probeImage,
        registry: input.registry,
        vars,
        signal,
        progress: input.progress,
      });
      result.checks = checked.checks;
      if (checked.kubeconfigFile) state.kubeconfigFile = checked.kubeconfigFile;
      const failed = result.checks.find((c) => c.outcome === 'failed');
      if (failed) {
        result.outcome = 'failed';
        result.message ??= `check failed: ${failed.message ?? ''}`;
        outcome = signal.aborted ? 'interrupted' : 'failed';
        state.failedStep = step.id;
        break;
      }
    }
    state.completedSteps.push(step.id);
    state.pending = [...pending];
  }
  if (signal.aborted && outcome === 'passed') outcome = 'interrupted';
  results.push(...skippedSteps(steps.slice(results.length + Math.max(0, startIndex))));
  return { steps: results, outcome };
}

// The steps after a failure, reported as skipped with their checks.
function skippedSteps(rest: Step[]): StepResult[] {
  return rest.map((step) => ({
    id: step.id,
    kind: step.kind,
    playbook: step.playbook,
    outcome: 'skipped',
    startedAt: new Date().toISOString(),
    durationMs: 0,
    message: 'skipped after an earlier failure',
    checks: step.checks.map((c) => ({ id: c, name: c, outcome: 'skipped' as const, durationMs: 0 })),
  }));
}
