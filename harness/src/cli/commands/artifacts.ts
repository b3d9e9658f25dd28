import type { Command } from 'commander';
import { buildArtifacts } from '../../artifacts/build-artifacts.ts';
import { serveArtifacts } from '../../artifacts/serve.ts';
import { currentMinor, kubernetesReleases } from '../../artifacts/versions.ts';
import { UsageError } from '../../contracts/errors.ts';

function parsePort(value: string): number {
  const port = Number.parseInt(value, 10);
  if (!Number.isInteger(port) || port < 1 || port > 65535 || String(port) !== value) {
    throw new UsageError(`expected a TCP port 1-65535, got "${value}"`);
  }
  return port;
}

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
    .option(
      '--only <components>',
      'comma-separated subset: kubernetes,etcd,crictl,coredns,flanneld,cni-flannel; the e2e tools e2e,ginkgo,agnhost are built only when named here',
    )
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
    .command('serve')
    .description(
      'Serve built artifact sets: an HTTP file server and a read-only registry mirror (Ctrl-C stops)',
    )
    .option('-k, --kubernetes <version...>', 'Kubernetes versions to serve', [currentMinor])
    .option('--host <address>', 'address to listen on (a bridge address to reach machines)', '127.0.0.1')
    .option('--file-port <port>', 'port of the file server (default: a free one)', parsePort)
    .option('--registry-port <port>', 'port of the registry (default: a free one)', parsePort)
    .action(
      async (opts: { kubernetes: string[]; host: string; filePort?: number; registryPort?: number }) => {
        const served = await serveArtifacts({
          host: opts.host,
          versions: opts.kubernetes,
          ...(opts.filePort === undefined ? {} : { filePort: opts.filePort }),
          ...(opts.registryPort === undefined ? {} : { registryPort: opts.registryPort }),
        });
        process.stdout.write(
          `kvmatrix_artifact_url=${served.fileUrl}\nkvmatrix_registry=${served.registry}\n`,
        );
        for (const version of served.versions) {
          process.stdout.write(`# ${served.fileUrl}/kubernetes/v${version}/manifest.json\n`);
        }
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await served.close();
      },
    );

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
