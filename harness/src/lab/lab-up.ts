import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { parseAllDocuments, stringify } from 'yaml';
import { artifactDir, resolveRelease } from '../artifacts/build-artifacts.ts';
import { readManifest } from '../artifacts/manifest.ts';
import { KvError, UsageError } from '../contracts/errors.ts';
import { repoRoot } from '../host/paths.ts';
import { createLineProgress, createProgress } from '../host/progress.ts';
import { sshRun } from '../host/ssh.ts';
import { readMatrix } from '../matrix/read-matrix.ts';
import { resolveCellByName } from '../matrix/resolve-cell.ts';
import { sshTargetOf } from '../providers/provider.ts';
import { createProvider } from '../providers/registry.ts';
import { writeCellReports } from '../report/io/write-cell-reports.ts';
import { executeCell } from '../run/execute-cell.ts';
import { loadRunState } from '../run/run-state.ts';
import { buildLabBinaries } from './build-lab-binaries.ts';
import { buildLabImages } from './build-lab-images.ts';
import { ensureGoldenDisk } from './golden-disk.ts';
import { LabKubectl } from './lab-kubectl.ts';
import {
  cdiCr,
  kubevirtCr,
  renderCdiOperator,
  renderKubevirtOperator,
  renderLocalPath,
} from './lab-manifests.ts';
import { isAlive, startLabMirror } from './lab-mirror.ts';
import { type LabState, labStateDir, readLabState, writeLabState } from './lab-state.ts';
import { labVersions } from './lab-versions.ts';

// `kvmatrix lab up`: a management cluster on podman node containers, deployed by this
// repository's playbooks (a kept deploy cell), with KubeVirt, CDI and a local-path storage class
// built from their Go modules, the golden images imported through CDI from the mirror, and the
// runner RBAC of vm-templates/rbac applied as written. Idempotent: a second `up` reuses the
// cluster and converges what is applied.

export const defaultLabCell = 'debian12-1.34-containerd-bridge-1cp-1w-deploy';
// The OS images the lab imports (vm-templates/golden-images): those this host can build.
const labImages = ['debian12'];

export interface LabUpOptions {
  cell?: string;
  signal: AbortSignal;
  log: (line: string) => void;
}

export async function labUp(opts: LabUpOptions): Promise<LabState> {
  const { log } = opts;
  const phases: Record<string, number> = {};
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    log(`${phase} ...`);
    const value = await work();
    phases[phase] = Math.round((Date.now() - started) / 100) / 10;
    log(`${phase}: done in ${phases[phase]} s`);
    return value;
  };
  const previous = await readLabState();
  const cellName = opts.cell ?? previous?.cell ?? defaultLabCell;
  const cell = resolveCellByName(await readMatrix(), cellName);
  const release = resolveRelease(String(cell.vars.kube_version ?? ''));
  const set = await readManifest(artifactDir(release.kubernetes));
  if (!set || !Object.keys(set.images).length) {
    throw new UsageError(`the Kubernetes ${release.kubernetes} artifact set is not built`, {
      hint: `npm run setup (or kvmatrix artifacts build --kubernetes ${release.kubernetes}) builds it first`,
    });
  }
  const kubectlBin = path.join(artifactDir(release.kubernetes), 'bin', 'kubectl');

  // The lab's own artifacts and the cluster do not depend on each other: built side by side
  // (a cold build of KubeVirt and CDI takes far longer than the deploy cell).
  const progress = createLineProgress('lab');
  const artifacts = (async () => {
    const built = await timed('binaries', () => buildLabBinaries({ progress }));
    await timed('images', () => buildLabImages(progress));
    const disks = await timed('golden-disks', async () => {
      const out = [];
      for (const os of labImages) out.push(await ensureGoldenDisk(os, log));
      return out;
    });
    return { binaries: built, disks };
  })();
  const cluster = (async () => {
    const kept = await loadRunState(cellName);
    if (kept?.kept) return kept;
    await timed('cluster', async () => {
      const record = await executeCell({
        cell,
        provider: await createProvider('podman'),
        keep: true,
        artifactsOut: labStateDir('deploy'),
        signal: opts.signal,
        progress: createProgress(),
      });
      await writeCellReports(labStateDir('deploy'), record);
      if (record.outcome !== 'passed') {
        throw new KvError('INFRASTRUCTURE', `the lab's deploy cell ${cellName} ${record.outcome}`, {
          hint: `its reports are in ${labStateDir('deploy')}; kvmatrix down ${cellName} removes what it left`,
        });
      }
    });
    return loadRunState(cellName);
  })();
  // Both settle before either failure is reported, so nothing runs on after `up` returns.
  const [artifactsResult, clusterResult] = await Promise.allSettled([artifacts, cluster]);
  if (artifactsResult.status === 'rejected') throw artifactsResult.reason;
  if (clusterResult.status === 'rejected') throw clusterResult.reason;
  const { binaries, disks } = artifactsResult.value;
  const run = clusterResult.value;
  if (!run?.kubeconfigFile || !run.artifactPorts) {
    throw new KvError('INFRASTRUCTURE', `the kept run of ${cellName} has no kubeconfig or mirror ports`, {
      hint: `kvmatrix down ${cellName}, then kvmatrix lab up`,
    });
  }
  await mkdir(labStateDir(), { recursive: true });
  const kubeconfig = labStateDir('kubeconfig');
  await copyFile(run.kubeconfigFile, kubeconfig);
  const registry = `${run.artifactHost ?? '127.0.0.1'}:${run.artifactPorts.registryPort}`;

  const mirrorPid =
    previous?.mirrorPid && isAlive(previous.mirrorPid)
      ? previous.mirrorPid
      : await timed('mirror', () =>
          startLabMirror({
            ...(run.artifactPorts as { filePort: number; registryPort: number }),
            kubernetes: release.kubernetes,
            logFile: labStateDir('mirror.log'),
          }),
        );
  const state: LabState = {
    cell: cellName,
    kubeconfig,
    kubectl: kubectlBin,
    registry,
    mirrorPid,
    routes: previous?.routes ?? [],
    createdAt: previous?.createdAt ?? new Date().toISOString(),
    phases,
  };
  await writeLabState(state);

  // Nodes: KubeVirt's hostPath volumes use Bidirectional mount propagation, which needs the node
  // container's root to be a shared mount (kind's entrypoint does the same).
  await timed('nodes', async () => {
    for (const machine of run.machines) {
      const r = await sshRun(sshTargetOf(machine), 'mount --make-rshared /', { timeoutMs: 30_000 });
      if (r.exitCode !== 0)
        throw new KvError('INFRASTRUCTURE', `${machine.name}: mount --make-rshared /: ${r.stderr}`);
    }
  });
  state.routes = await timed('routes', () =>
    addPodRoutes(new LabKubectl(kubectlBin, kubeconfig), state.routes),
  );
  await writeLabState(state);

  const k = new LabKubectl(kubectlBin, kubeconfig);
  const input = {
    binDir: binaries.binDir,
    kubevirtDir: moduleDir(`kubevirt.io/kubevirt@v${labVersions.kubevirt.version}`),
    cdiDir: moduleDir(`kubevirt.io/containerized-data-importer@v${labVersions.cdi.version}`),
    localPathDir: moduleDir(`github.com/rancher/local-path-provisioner@v${labVersions.localPath}`),
    registry,
  };
  await timed('storage', async () => {
    await k.apply(await renderLocalPath(input), 'the local-path provisioner');
    await k.run(
      [
        'rollout',
        'status',
        '-n',
        'local-path-storage',
        'deployment/local-path-provisioner',
        '--timeout=300s',
      ],
      undefined,
      320_000,
    );
  });
  await timed('kubevirt', async () => {
    await k.apply(await renderKubevirtOperator(input), 'the KubeVirt operator');
    await k.apply(stringify(kubevirtCr()), 'the KubeVirt CR');
    await k.waitFor('kubevirt.kubevirt.io/kubevirt', 'Available', 'kubevirt', 20 * 60_000);
  });
  await timed('cdi', async () => {
    await k.apply(await renderCdiOperator(input), 'the CDI operator');
    await k.apply(stringify(cdiCr(registry)), 'the CDI CR');
    await k.waitFor('cdi.cdi.kubevirt.io/cdi', 'Available', undefined, 20 * 60_000);
  });
  await timed('rbac', async () => {
    await applyRunnerRbac(k);
    await writeRunnerEnvironment(k, kubeconfig, registry, set.release.pause);
  });
  await timed('golden-images', async () => {
    for (const disk of disks) await applyGoldenImage(k, disk.os, `docker://${registry}/${disk.reference}`);
    for (const disk of disks) {
      await k.waitFor(`datasource/kvmatrix-${disk.os}`, 'Ready', 'kvmatrix-images', 30 * 60_000);
    }
  });
  state.phases = phases;
  await writeLabState(state);
  return state;
}

function moduleDir(moduleAtVersion: string): string {
  const gomodcache = process.env.GOMODCACHE ?? path.join(process.env.HOME ?? '/root', 'go', 'pkg', 'mod');
  return path.join(gomodcache, moduleAtVersion);
}

// The host reaches the VMs (pods on the nodes' bridge networks) the way a runner pod would
// reach them on the pod network: here through a route per node's pod subnet via that node.
async function addPodRoutes(k: LabKubectl, existing: string[]): Promise<string[]> {
  const out = await k.run([
    'get',
    'nodes',
    '-o',
    'jsonpath={range .items[*]}{.spec.podCIDR} {.status.addresses[?(@.type=="InternalIP")].address}{"\\n"}{end}',
  ]);
  const routes = new Set(existing);
  for (const line of out.split('\n').filter(Boolean)) {
    const [cidr, via] = line.trim().split(/\s+/);
    if (!cidr || !via) continue;
    const r = await execa('ip', ['route', 'replace', cidr, 'via', via], { reject: false });
    if (r.exitCode !== 0)
      throw new KvError('INFRASTRUCTURE', `ip route replace ${cidr} via ${via}: ${r.stderr}`);
    routes.add(cidr);
  }
  return [...routes];
}

// vm-templates/rbac as written: its subject is the service account gitlab-runner/kvmatrix-ci,
// which the lab creates (the runner's namespace and account exist before a runner does).
async function applyRunnerRbac(k: LabKubectl): Promise<void> {
  await k.apply(
    [
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: gitlab-runner\n',
      'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: kvmatrix-ci\n  namespace: gitlab-runner\n',
    ].join('---\n'),
    "the runner's namespace and service account",
  );
  const dir = path.join(repoRoot, 'vm-templates');
  await k.apply(
    await readFile(path.join(dir, 'golden-images', 'namespace.yaml'), 'utf8'),
    'the golden image namespace',
  );
  for (const file of (await readdir(path.join(dir, 'rbac'))).filter((f) => f.endsWith('.yaml')).sort()) {
    await k.apply(await readFile(path.join(dir, 'rbac', file), 'utf8'), `vm-templates/rbac/${file}`);
  }
}

// The runner's side of the lab, as the GitLab Kubernetes executor would give it: a pod in the
// runner namespace standing for the job's pod (the sentinels are owned by it; deleting it is a
// runner dying), a kubeconfig with the service account kvmatrix-ci's token (the harness has
// exactly vm-templates/rbac's permissions), and lab.env naming both for the provider.
async function writeRunnerEnvironment(
  k: LabKubectl,
  adminKubeconfig: string,
  registry: string,
  pause: string,
): Promise<void> {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'kvmatrix-runner',
      namespace: 'gitlab-runner',
      labels: { 'app.kubernetes.io/part-of': 'kvmatrix' },
    },
    spec: {
      serviceAccountName: 'kvmatrix-ci',
      containers: [
        { name: 'job', image: `${registry}/kubernetes/pause:${pause}`, imagePullPolicy: 'IfNotPresent' },
      ],
    },
  };
  await k.apply(stringify(pod), "the runner's job pod");
  await k.run(
    ['wait', '-n', 'gitlab-runner', 'pod/kvmatrix-runner', '--for=condition=Ready', '--timeout=180s'],
    undefined,
    200_000,
  );
  const token = (
    await k.run(['create', 'token', 'kvmatrix-ci', '-n', 'gitlab-runner', '--duration=24h'])
  ).trim();
  const admin = await readFile(adminKubeconfig, 'utf8');
  const server = /server: (\S+)/.exec(admin)?.[1];
  const ca = /certificate-authority-data: (\S+)/.exec(admin)?.[1];
  if (!server || !ca)
    throw new KvError('INFRASTRUCTURE', `${adminKubeconfig}: no server or certificate-authority-data`);
  const runnerConfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'lab', cluster: { server, 'certificate-authority-data': ca } }],
    users: [{ name: 'kvmatrix-ci', user: { token } }],
    contexts: [
      {
        name: 'kvmatrix-ci@lab',
        context: { cluster: 'lab', user: 'kvmatrix-ci', namespace: 'gitlab-runner' },
      },
    ],
    'current-context': 'kvmatrix-ci@lab',
  };
  await writeFile(labStateDir('runner.kubeconfig'), stringify(runnerConfig), { mode: 0o600 });
  await writeFile(
    labStateDir('lab.env'),
    [
      `KVMATRIX_KUBECONFIG=${labStateDir('runner.kubeconfig')}`,
      'KVMATRIX_RUNNER_POD=kvmatrix-runner',
      'KVMATRIX_RUNNER_NAMESPACE=gitlab-runner',
      '',
    ].join('\n'),
  );
}

// vm-templates/golden-images/<os>.yaml with the mirror's container disk as its source.
async function applyGoldenImage(k: LabKubectl, os: string, url: string): Promise<void> {
  const file = path.join(repoRoot, 'vm-templates', 'golden-images', `${os}.yaml`);
  await k.apply(
    stringify(goldenImageCron(await readFile(file, 'utf8'), file, url)),
    `the DataImportCron of ${os}`,
  );
}

interface DataImportCron {
  kind?: string;
  spec?: { template?: { spec?: { source?: { registry?: { url?: string } } } } };
}

// The DataImportCron of a golden-images file with its registry source replaced. Pure.
export function goldenImageCron(text: string, file: string, url: string): DataImportCron {
  const cron = parseAllDocuments(text)
    .map((d) => d.toJS() as DataImportCron | null)
    .find((d) => d?.kind === 'DataImportCron');
  const registry = cron?.spec?.template?.spec?.source?.registry;
  if (!cron || !registry) {
    throw new KvError('USAGE', `${file}: expected a DataImportCron with spec.template.spec.source.registry`);
  }
  registry.url = url;
  return cron;
}
