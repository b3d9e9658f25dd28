import type { Command } from 'commander';
import { buildArtifacts } from '../../artifacts/build-artifacts.ts';
import { currentMinor, kubernetesReleases } from '../../artifacts/versions.ts';

// `kvmatrix artifacts`: build the offline Kubernetes artifact set from the Go module proxy.
export function registerArtifactsCommand(program: Command): void {
  const artifacts = program
    .command('artifacts')
    .description('Build and serve the offline Kubernetes artifact set (binaries, images, mirror)');

  artifacts
    .command('build')
    .description('Build Kubernetes, etcd, crictl and CoreDNS from the Go module proxy (cached per version)')
    .option(
      '-k, --kubernetes <version...>',
      `Kubernetes versions (minor or full: ${Object.values(kubernetesReleases)
        .map((r) => r.kubernetes)
        .join(', ')})`,
      [currentMinor],
    )
    .option('--only <components>', 'comma-separated subset: kubernetes,etcd,crictl,coredns')
    .option('--force', 'rebuild even when the cache is current', false)
    .option('--no-images', 'do not pack the OCI images')
    .action(async (opts: { kubernetes: string[]; only?: string; force: boolean; images: boolean }) => {
      for (const version of opts.kubernetes) {
        const set = await buildArtifacts({
          kubernetes: version,
          force: opts.force,
          ...(opts.images ? {} : { images: false }),
          ...(opts.only ? { components: opts.only.split(',').map((c) => c.trim()) } : {}),
        });
        process.stdout.write(`${set.dir}\n`);
      }
    });

  artifacts
    .command('list')
    .description('Show the pinned versions of every artifact kvmatrix builds')
    .action(() => {
      for (const [minor, release] of Object.entries(kubernetesReleases)) {
        process.stdout.write(
          `${minor}: kubernetes ${release.kubernetes}, etcd ${release.etcd} (image ${release.etcdImageTag}), ` +
            `etcdctl ${release.etcdctl}, coredns ${release.coredns}, pause ${release.pause}, crictl ${release.crictl}\n`,
        );
      }
    });
}
