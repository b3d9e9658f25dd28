import type { Command } from 'commander';
import { buildOperatorCommand, runOperatorFromArgs } from '../../../../operator/src/main.ts';
import { InfrastructureError, UsageError } from '../../contracts/errors.ts';

// `kvmatrix operator run`: the operator in the foreground (operator/README.md).
export function registerOperatorCommand(program: Command): void {
  const operator = program
    .command('operator')
    .description('the Kubernetes operator that runs the playbooks as Jobs');
  buildOperatorCommand(operator.command('run')).action(async (opts) => {
    try {
      await runOperatorFromArgs(opts);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new InfrastructureError(`operator stopped: ${(error as Error).message}`, {
        hint: 'check the kubeconfig and that the CRDs of operator/config/crd are installed',
        cause: error,
      });
    }
  });
}
