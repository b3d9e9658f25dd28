import type { StepRun } from '../scenario/step-executor.ts';

// What an operator step needs from the run: the scenario's step context without the cell's own
// inventory and --limit (the operator writes its own inventories, from its Machines).
export type OperatorStepContext = Omit<StepRun, 'inventoryFile' | 'limit'>;
