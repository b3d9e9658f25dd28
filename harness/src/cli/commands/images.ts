import type { Command } from 'commander';
import { createLineProgress } from '../../host/progress.ts';
import {
  describeGoldenImage,
  ensureGoldenImage,
  isGoldenImageBuilt,
  NODE_OS,
} from '../../providers/local/golden-image.ts';

async function imagesBuild(options: { os: string[]; podman: boolean; qemuSnapshot?: string }): Promise<void> {
  const log = createLineProgress('images');
  for (const os of options.os) {
    const started = Date.now();
    const image = await ensureGoldenImage(os, log);
    if (options.podman) {
      const { ensurePodmanImage } = await import('../../providers/podman/podman-image.ts');
      log(`podman image ${await ensurePodmanImage(os, log)}`);
    }
    if (options.qemuSnapshot) {
      const [cpus = 2, memoryMiB = 1024] = options.qemuSnapshot.split('x').map(Number);
      const { chooseAccel } = await import('../../providers/qemu/accel-probe.ts');
      const { ensureSnapshot } = await import('../../providers/qemu/snapshot.ts');
      const accel = await chooseAccel(image.kernel, image.initrd);
      log(`qemu accelerator: ${accel.accel} (${accel.reason})`);
      await ensureSnapshot(image, accel, cpus, memoryMiB, log);
    }
    log(`${image.os}: ready in ${image.dir} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
}

async function imagesList(): Promise<void> {
  for (const [os, value] of Object.entries(NODE_OS)) {
    const image = await describeGoldenImage(os);
    const state = (await isGoldenImageBuilt(image)) ? `built in ${image.dir}` : 'not built';
    process.stdout.write(`${os}\t${value.description}\t${image.hash}\t${state}\n`);
  }
}

// `kvmatrix images`: the golden node images of the local providers (built by the set-up step).
export function registerImagesCommand(program: Command): void {
  const images = program
    .command('images')
    .description('build and list the golden node images of local providers');
  images
    .command('build')
    .description('build the golden node image (debootstrap, cached by recipe hash) and import it into podman')
    .option('--os <os...>', `node OS (${Object.keys(NODE_OS).join(', ')})`, ['debian12'])
    .option('--no-podman', 'do not import the image into podman')
    .option(
      '--qemu-snapshot <cpusXmemory>',
      'also boot and save the qemu template snapshot of this size (2x1024)',
    )
    .action(imagesBuild);
  images.command('list').description('list node images and whether they are built').action(imagesList);
}
