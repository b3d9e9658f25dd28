// What `npm run setup` is about to do and how long it will take (`plan`), and what it did
// (`summary <timings-file>`), read from the caches themselves so a newcomer knows up front that a
// cold set-up takes about an hour and a warm one seconds. Run by setup.sh with the project's Node.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { listComponents, listStaleComponents, resolveRelease } from '../src/artifacts/build-artifacts.ts';
import { isRuntimeBuilt, resolveRuntimeRelease } from '../src/artifacts/build-runtime.ts';
import { cacheDir } from '../src/host/paths.ts';
import { describeGoldenImage, isGoldenImageBuilt } from '../src/providers/local/golden-image.ts';

// Wall times measured on this project's 2-core machines from an empty cache (issue 22 note): the
// low end on an idle machine, the high end with other builds sharing the cores (load 20-50).
const COLD = {
  firstKubernetes: '45-90 min (Go build of Kubernetes, etcd, crictl, CoreDNS, flannel, metrics-server)',
  nextKubernetes:
    "15-60 min (Kubernetes' own packages differ per version; the rest of Go's build cache is shared)",
  someComponents: 'minutes (only what changed)',
  runtime: '~10 min (containerd 2.x from its Go module)',
  nodeImage: "~3 min (debootstrap from Debian's mirror)",
  snapshot: '~2 min (a template VM booted under TCG and saved)',
};

function versions(): string[] {
  return (process.env.KVMATRIX_ARTIFACT_VERSIONS ?? '1.34 1.33').split(/\s+/).filter(Boolean);
}

async function hasSnapshot(imageDir: string, size: string): Promise<boolean> {
  const [cpus, mib] = size.split('x');
  for (const name of await readdir(imageDir).catch(() => [] as string[])) {
    if (!name.startsWith('snapshot-') || !name.includes(`-${cpus}c-${mib}m-`)) continue;
    if (
      await readFile(path.join(imageDir, name, 'ready')).then(
        () => true,
        () => false,
      )
    )
      return true;
  }
  return false;
}

async function plan(skip: Set<string>): Promise<string[]> {
  const lines: string[] = [];
  if (!skip.has('artifacts')) {
    // Versions build in this order; from the second on, Go's build cache is warm.
    let goCacheWarm = false;
    for (const version of versions()) {
      const stale = await listStaleComponents(version);
      const total = listComponents(version).length;
      const expect = !stale.length
        ? 'cached (~2 s)'
        : stale.length < total
          ? `${stale.join(', ')}: ${COLD.someComponents}`
          : goCacheWarm
            ? COLD.nextKubernetes
            : COLD.firstKubernetes;
      goCacheWarm = true;
      lines.push(`artifacts ${resolveRelease(version).kubernetes}: ${expect}`);
    }
    for (const runtime of (process.env.KVMATRIX_ARTIFACT_RUNTIMES ?? 'containerd2')
      .split(/\s+/)
      .filter(Boolean)) {
      const release = resolveRuntimeRelease(runtime);
      const built = await isRuntimeBuilt(release);
      lines.push(`runtime ${runtime} ${release.version}: ${built ? 'cached' : COLD.runtime}`);
    }
  }
  if (!skip.has('images')) {
    const size = process.env.KVMATRIX_SETUP_QEMU_SNAPSHOT ?? '2x1024';
    for (const os of (process.env.KVMATRIX_IMAGE_OS ?? 'debian12').split(/\s+/).filter(Boolean)) {
      const image = await describeGoldenImage(os);
      const imageBuilt = await isGoldenImageBuilt(image);
      lines.push(`node image ${os}: ${imageBuilt ? 'cached' : COLD.nodeImage}`);
      if (size === 'none') continue;
      const cached = imageBuilt && (await hasSnapshot(image.dir, size));
      lines.push(`qemu template snapshot ${os} ${size}: ${cached ? 'cached' : COLD.snapshot}`);
    }
  }
  lines.push(`caches in ${cacheDir()}`);
  return lines;
}

function formatSeconds(seconds: number): string {
  return seconds >= 90 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
}

async function summary(file: string): Promise<string[]> {
  const rows = (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t') as [string, string, string]);
  const width = Math.max(...rows.map(([name]) => name.length), 4);
  const total = rows.reduce((sum, [, seconds]) => sum + Number(seconds), 0);
  return [
    `${'step'.padEnd(width)}  time        result`,
    ...rows.map(
      ([name, seconds, result]) =>
        `${name.padEnd(width)}  ${formatSeconds(Number(seconds)).padEnd(10)}  ${result}`,
    ),
    `${'all'.padEnd(width)}  ${formatSeconds(total)}`,
  ];
}

const [mode, arg] = process.argv.slice(2);
const skip = new Set((process.env.KVMATRIX_SETUP_SKIP ?? '').split(',').filter(Boolean));
const out = mode === 'summary' && arg ? await summary(arg) : await plan(skip);
process.stdout.write(`${out.join('\n')}\n`);
