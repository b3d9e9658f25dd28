import type { Command } from 'commander';
import { createProgress } from '../../artifacts/progress.ts';
import { buildLabBinaries } from '../../lab/build-lab-binaries.ts';

// `kvmatrix lab`: the KubeVirt lab, KubeVirt and CDI built from their Go modules and run on
// podman node containers (harness/src/lab/README.md).
export function registerLabCommand(program: Command): void {
  const lab = program
    .command('lab')
    .description('The KubeVirt lab: KubeVirt and CDI built from their Go modules, on podman node containers');

  lab
    .command('build')
    .description('Build the binaries of KubeVirt, CDI and the local-path provisioner (cached)')
    .option('--only <components>', 'comma-separated subset: kubevirt,cdi,local-path-provisioner')
    .option('--force', 'rebuild even when the cache is current', false)
    .action(async (opts: { only?: string; force: boolean }) => {
      const built = await buildLabBinaries({
        force: opts.force,
        progress: createProgress('lab'),
        ...(opts.only ? { components: opts.only.split(',').map((c) => c.trim()) } : {}),
      });
      process.stdout.write(`${built.dir}\n`);
    });
}
