import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { buildArtifacts } from '../../artifacts/build-artifacts.ts';
import { buildRuntimeArtifacts } from '../../artifacts/build-runtime.ts';
import { publishArtifacts } from '../../artifacts/publish-artifacts.ts';
import { runtimeReleases } from '../../artifacts/runtime-versions.ts';
import { serveArtifacts } from '../../artifacts/serve.ts';
import { currentMinor, kubernetesReleases } from '../../artifacts/versions.ts';
import { UsageError } from '../../contracts/errors.ts';
import { createLineProgress } from '../../host/progress.ts';

function parsePort(value: string): number {
  const port = Number.parseInt(value, 10);
  if (!Number.isInteger(port) || port < 1 || port > 65535 || String(port) !== value) {
    throw new UsageError(`expected a TCP port 1-65535, got "${value}"`);
  }
  return port;
}

interface BuildOptions {
  kubernetes: string[];
  runtime?: string[];
  only?: string;
  force: boolean;
  images: boolean;
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
    .option(
      '--runtime <runtime...>',
      `container runtimes built from Go modules, each its own cached set (${runtimeReleases
        .map((r) => `${r.runtime}: ${r.folder} ${r.version}`)
        .join(', ')}); alone (without -k) it builds only these`,
    )
    .option('--force', 'rebuild even when the cache is current', false)
    .option('--no-images', 'do not pack the OCI images')
    .action(async (opts: BuildOptions, command: Command) => {
      for (const runtime of opts.runtime ?? []) {
        const set = await buildRuntimeArtifacts({ runtime, force: opts.force });
        process.stdout.write(`${set.dir}\n`);
      }
      const onlyRuntimes = opts.runtime && command.getOptionValueSource('kubernetes') === 'default';
      for (const version of onlyRuntimes ? [] : opts.kubernetes) {
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
    .option('--runtime <runtime...>', 'container runtimes built from Go modules to serve too (containerd2)')
    .option('--host <address>', 'address to listen on (a bridge address to reach machines)', '127.0.0.1')
    .option('--file-port <port>', 'port of the file server (default: a free one)', parsePort)
    .option('--registry-port <port>', 'port of the registry (default: a free one)', parsePort)
    .option(
      '--all',
      'a shared mirror: serve every version that is or becomes complete (none required)',
      false,
    )
    .option(
      '--accept-uploads',
      'accept sets published by `kvmatrix artifacts publish`, with the token of $KVMATRIX_MIRROR_TOKEN or --upload-token-file',
      false,
    )
    .option('--upload-token-file <file>', 'file holding the upload token (a mounted Secret)')
    .action(
      async (opts: {
        kubernetes: string[];
        runtime?: string[];
        host: string;
        filePort?: number;
        registryPort?: number;
        all: boolean;
        acceptUploads: boolean;
        uploadTokenFile?: string;
      }) => {
        let uploadToken: string | undefined;
        if (opts.acceptUploads) {
          uploadToken = opts.uploadTokenFile
            ? (await readFile(opts.uploadTokenFile, 'utf8')).trim()
            : process.env.KVMATRIX_MIRROR_TOKEN?.trim();
          if (!uploadToken || uploadToken.length < 16) {
            throw new UsageError('--accept-uploads needs an upload token of at least 16 characters', {
              hint: 'KVMATRIX_MIRROR_TOKEN=... or --upload-token-file /etc/kvmatrix-mirror/token',
            });
          }
        }
        const served = await serveArtifacts({
          host: opts.host,
          versions: opts.all ? [] : opts.kubernetes,
          all: opts.all,
          ...(opts.runtime ? { runtimes: opts.runtime } : {}),
          ...(uploadToken ? { uploadToken } : {}),
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
    .command('publish')
    .description(
      'build each version once and publish it to a shared mirror; skipped when the mirror holds it as this checkout builds it',
    )
    .option('-k, --kubernetes <version...>', 'Kubernetes versions to publish', [currentMinor])
    .requiredOption('--to <url>', "the mirror's file server ($KVMATRIX_ARTIFACT_URL)")
    .option('--force', 'publish even when the mirror is current', false)
    .action(async (opts: { kubernetes: string[]; to: string; force: boolean }) => {
      const token = process.env.KVMATRIX_MIRROR_TOKEN?.trim();
      const outcomes = await publishArtifacts({
        versions: opts.kubernetes.flatMap((v) => v.split(/[\s,]+/)).filter(Boolean),
        url: opts.to,
        ...(token ? { token } : {}),
        force: opts.force,
        progress: createLineProgress('publish'),
      });
      for (const o of outcomes)
        process.stdout.write(`v${o.version}\t${o.action}\t${o.bytes} bytes\t${o.reason}\n`);
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
      for (const release of runtimeReleases) {
        process.stdout.write(`${release.runtime}: ${release.module} v${release.version}\n`);
      }
    });
}
