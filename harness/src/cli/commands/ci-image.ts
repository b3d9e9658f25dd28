import type { Command } from 'commander';
import {
  buildAppImage,
  buildCiImage,
  ciImageInputs,
  localCiImageTag,
  pushCiImage,
} from '../../ci/ci-image.ts';
import { createLineProgress } from '../../host/progress.ts';

// `kvmatrix ci-image`: the CI job image the pipelines name through KVMATRIX_CI_IMAGE.
export function registerCiImageCommand(program: Command): void {
  const image = program.command('ci-image').description('build, name and push the CI job image (.ci/image)');
  image
    .command('tag')
    .description('print the image tag for the current inputs (the hash .gitlab-ci.yml pins)')
    .action(async () => {
      process.stdout.write(`${(await ciImageInputs()).hash}\n`);
    });
  image
    .command('build')
    .description('build the image into containers-storage and an OCI archive (cached by input hash)')
    .option('--force', 'rebuild even when the tag exists', false)
    .option('--push <reference>', 'then push it, e.g. registry.example.com/group/kvmatrix/ci:<tag>')
    .option('--dest-tls-verify <bool>', 'skopeo --dest-tls-verify for --push', 'true')
    .action(async (opts: { force: boolean; push?: string; destTlsVerify: string }) => {
      const log = createLineProgress('ci-image');
      const built = await buildCiImage({ force: opts.force, log });
      log(
        `${built.tag}: ${built.built ? 'built' : 'cached'} in ${built.seconds.toFixed(0)} s, ` +
          `${(built.sizeBytes / 2 ** 20).toFixed(0)} MiB; OCI archive ${built.archive}`,
      );
      if (opts.push) {
        await pushCiImage(built.tag, opts.push, [`--dest-tls-verify=${opts.destTlsVerify}`]);
        log(`pushed ${opts.push}`);
      }
      process.stdout.write(`${built.tag}\n`);
    });
  image
    .command('build-app')
    .description(
      "the CI image plus this checkout's kvmatrix as entrypoint: what the mirror Deployment runs (.ci/mirror)",
    )
    .option('--push <reference>', 'then push it, e.g. registry.example.com/group/kvmatrix/kvmatrix-app:<tag>')
    .option('--dest-tls-verify <bool>', 'skopeo --dest-tls-verify for --push', 'true')
    .action(async (opts: { push?: string; destTlsVerify: string }) => {
      const log = createLineProgress('ci-image');
      const built = await buildAppImage({ log });
      log(`${built.tag}: ${built.built ? 'built' : 'cached'} on ${built.base}`);
      if (opts.push) {
        await pushCiImage(built.tag, opts.push, [`--dest-tls-verify=${opts.destTlsVerify}`]);
        log(`pushed ${opts.push}`);
      }
      process.stdout.write(`${built.tag}\n`);
    });
  image
    .command('local-tag')
    .description('print the local name of the image (localhost/kvmatrix-ci:<tag>)')
    .action(async () => {
      process.stdout.write(`${localCiImageTag(await ciImageInputs())}\n`);
    });
}
