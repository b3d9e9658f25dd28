// Entry point of the operator process: `node operator/src/main.ts [options]` (also
// `kvmatrix operator run`). SIGTERM and SIGINT stop it cleanly and release the leader lease.
import { Command } from 'commander';
import { UsageError } from '../../harness/src/contracts/errors.ts';
import { defaultExecutorImage, runOperator } from './run-operator.ts';

export function buildOperatorCommand(command: Command): Command {
  return command
    .description('run the kvmatrix operator: ClusterDeployments -> Machines claimed -> playbook Jobs')
    .option('--kubeconfig <file>', 'kubeconfig of the management cluster (default: $KUBECONFIG, in-cluster)')
    .option('--namespace <ns>', 'watch only this namespace (default: all namespaces)')
    .option('--no-leader-elect', 'run without leader election (one replica only)')
    .option(
      '--leader-elect-namespace <ns>',
      'namespace of the leader Lease',
      process.env.POD_NAMESPACE ?? 'kvmatrix-system',
    )
    .option('--lease-duration <seconds>', 'leader lease duration', '15')
    .option(
      '--executor-image <ref>',
      'image of the ansible-playbook Jobs',
      process.env.KVMATRIX_EXECUTOR_IMAGE ?? defaultExecutorImage,
    )
    .option(
      '--allowed-executor-images <refs>',
      'comma-separated images a ClusterDeployment may name in spec.executorImage (besides --executor-image)',
      process.env.KVMATRIX_ALLOWED_EXECUTOR_IMAGES ?? '',
    )
    .option(
      '--allowed-ssh-key-secrets <names>',
      'comma-separated Secrets a ClusterDeployment may name in spec.sshKeySecret (no other is mounted)',
      process.env.KVMATRIX_ALLOWED_SSH_KEY_SECRETS ?? '',
    )
    .option('--executor-service-account <name>', 'service account of the playbook Jobs')
    .option(
      '--publish-kubeconfig-playbook <path>',
      'playbook in the executor image run after install/scale/upgrade to publish <cluster>-kubeconfig',
    )
    .option('--workers <n>', 'workers per controller', '4')
    .option('--stats-interval <seconds>', 'print API request and memory figures this often (0: never)', '0');
}

function positiveNumber(
  opts: Record<string, string | boolean | undefined>,
  key: string,
  flag: string,
  allowZero = false,
): number {
  const value = Number(opts[key]);
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new UsageError(
      `${flag} expects a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(opts[key])}`,
      {
        hint: `see --help for ${flag}`,
      },
    );
  }
  return value;
}

function commaList(value: unknown): string[] {
  return String(value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

export async function runOperatorFromArgs(opts: Record<string, string | boolean | undefined>): Promise<void> {
  const leaseSeconds = positiveNumber(opts, 'leaseDuration', '--lease-duration');
  const workers = positiveNumber(opts, 'workers', '--workers');
  const statsSeconds = positiveNumber(opts, 'statsInterval', '--stats-interval', true);
  const abort = new AbortController();
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => abort.abort());
  await runOperator(
    {
      kubeconfig: opts.kubeconfig as string | undefined,
      namespace: opts.namespace as string | undefined,
      leaderElection: opts.leaderElect !== false,
      leaderElectionNamespace: opts.leaderElectNamespace as string,
      leaseDurationMs: leaseSeconds * 1000,
      executorImage: opts.executorImage as string,
      allowedExecutorImages: commaList(opts.allowedExecutorImages),
      allowedSshKeySecrets: commaList(opts.allowedSshKeySecrets),
      executorServiceAccount: opts.executorServiceAccount as string | undefined,
      publishKubeconfigPlaybook: opts.publishKubeconfigPlaybook as string | undefined,
      workers,
      statsIntervalMs: statsSeconds * 1000,
    },
    abort.signal,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const program = buildOperatorCommand(new Command('kvmatrix-operator'));
  program.action(async (opts) => {
    try {
      await runOperatorFromArgs(opts);
    } catch (error) {
      process.stderr.write(`kvmatrix-operator: ${(error as Error).message}\n`);
      const hint = (error as { hint?: string }).hint;
      if (hint) process.stderr.write(`  hint: ${hint}\n`);
      process.exitCode = error instanceof UsageError ? 2 : 1;
    }
  });
  await program.parseAsync(process.argv);
}
