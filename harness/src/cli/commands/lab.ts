import type { Command } from 'commander';
import { KvError } from '../../contracts/errors.ts';
import { createLineProgress } from '../../host/progress.ts';
import { onTerminationSignals } from '../../host/termination.ts';
import { buildLabBinaries } from '../../lab/build-lab-binaries.ts';
import { buildLabImages } from '../../lab/build-lab-images.ts';
import { labDown } from '../../lab/lab-down.ts';
import { labStatus } from '../../lab/lab-status.ts';
import { defaultLabCell, labUp } from '../../lab/lab-up.ts';

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
        progress: createLineProgress('lab'),
        ...(opts.only ? { components: opts.only.split(',').map((c) => c.trim()) } : {}),
      });
      process.stdout.write(`${built.dir}\n`);
    });

  lab
    .command('images')
    .description("Assemble the lab's images on the Debian runtime base and put them in the mirror (cached)")
    .action(async () => {
      for (const image of await buildLabImages(createLineProgress('lab')))
        process.stdout.write(`${image.reference}\n`);
    });

  lab
    .command('up')
    .description('Start the lab (or converge a running one); the last line printed is KUBECONFIG=<path>')
    .option('--cell <name>', 'the deploy cell whose podman machines carry the cluster', defaultLabCell)
    .action(async (opts: { cell: string }) => {
      const log = createLineProgress('lab');
      const controller = new AbortController();
      const release = onTerminationSignals((name) => {
        log(`received ${name}: stopping (kvmatrix lab down removes what exists so far)`);
        controller.abort(new KvError('INTERRUPTED', `interrupted by ${name}`));
      });
      const started = Date.now();
      try {
        const state = await labUp({ cell: opts.cell, signal: controller.signal, log });
        log(`lab up in ${((Date.now() - started) / 1000).toFixed(0)} s`);
        process.stdout.write(`# kubevirt lab on ${state.cell}; stop it with: kvmatrix lab down\n`);
        process.stdout.write(`KUBECONFIG=${state.kubeconfig}\n`);
      } finally {
        release();
      }
    });

  lab
    .command('down')
    .description('Stop the lab: its machines, its mirror and its host routes (idempotent)')
    .action(async () => {
      const log = createLineProgress('lab');
      if (!(await labDown(log))) log('no lab running');
    });

  lab
    .command('status')
    .description('Show the lab: its cell, mirror, KubeVirt and CDI, memory of its nodes')
    .action(async () => {
      for (const line of await labStatus()) process.stdout.write(`${line}\n`);
    });
}
