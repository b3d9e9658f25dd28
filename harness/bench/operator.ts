// Operator benchmark: how long 500 ClusterDeployments take to bind 5,000 Machines on a real
// kube-apiserver, how many API requests the operator makes for it, and its memory at that size.
// Flags: --clusters=N (500) --machines-per-cluster=M (10) --budget-s=S (900) --workers=W (8, per
// controller). If the budget runs out, the figures at the size reached are printed with a
// labelled linear extrapolation.
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import pLimit from 'p-limit';
import type { Machine } from '../../operator/src/api/v1alpha1/machine.ts';
import { API_VERSION } from '../../operator/src/api/v1alpha1/meta.ts';
import { clusterDeploymentsType, machinesType } from '../../operator/src/controllers/resource-types.ts';
import { installCrds } from '../../operator/src/install-crds.ts';
import { statsPrefix } from '../../operator/src/run-operator.ts';
import { KubeClient } from '../../operator/src/runtime/kube-client.ts';
import { startControlPlane } from '../src/testbed/control-plane.ts';
import type { Print } from './bench.ts';

interface Stats {
  requests: number;
  byVerb: Record<string, number>;
  rssBytes: number;
  heapUsedBytes: number;
  cpuSeconds?: number;
}

function flag(args: string[], name: string, fallback: number): number {
  const raw = args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${name} expects a positive number, got ${raw}`);
  return value;
}

function rssPeakKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

export async function benchOperator(print: Print): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a.startsWith('--'));
  const line = (label: string, value: string) => print(`${label.padEnd(38)} ${value}`);
  const clusters = flag(args, 'clusters', 500);
  const perCluster = flag(args, 'machines-per-cluster', 10);
  const budgetMs = flag(args, 'budget-s', 900) * 1000;
  const workers = flag(args, 'workers', 8);
  const machines = clusters * perCluster;
  const external = process.env.KVMATRIX_BENCH_KUBECONFIG;
  // The shared test control plane of issue 4 (etcd, kube-apiserver, kube-controller-manager).
  const plane = external ? undefined : await startControlPlane({ progress: () => {} });
  const kubeconfigPath = external ?? (plane?.kubeconfig as string);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const client = new KubeClient(kc, { userAgent: 'kvmatrix-bench' });
  const namespace = `kvm-operator-bench-${Date.now().toString(36)}`;
  let operator: ChildProcess | undefined;
  try {
    await installCrds(client);
    await client.create({ group: '', version: 'v1', plural: 'namespaces' }, undefined, {
      metadata: { name: namespace },
    });
    const limit = pLimit(32);
    let started = Date.now();
    await Promise.all(
      Array.from({ length: machines }, (_, i) =>
        limit(() =>
          client.create(machinesType, namespace, {
            apiVersion: API_VERSION,
            kind: 'Machine',
            metadata: { name: `m${String(i).padStart(5, '0')}`, labels: { pool: 'bench' } },
            spec: { address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, sshUser: 'root' },
          }),
        ),
      ),
    );
    line(
      'machines created (setup, not measured)',
      `${machines} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    let lastStats: Stats | undefined;
    operator = spawn(
      process.execPath,
      [
        fileURLToPath(new URL('../../operator/src/main.ts', import.meta.url)),
        `--kubeconfig=${kubeconfigPath}`,
        `--namespace=${namespace}`,
        '--no-leader-elect',
        '--allowed-ssh-key-secrets=bench-ssh',
        '--stats-interval=2',
        `--workers=${workers}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let buffered = '';
    const logFile = process.env.KVMATRIX_BENCH_OPERATOR_LOG;
    operator.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (logFile) appendFileSync(logFile, chunk);
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const l of lines)
        if (l.startsWith(statsPrefix)) lastStats = JSON.parse(l.slice(statsPrefix.length));
    });

    // Count claims as the API server reports them.
    const claimed = new Set<string>();
    const abort = new AbortController();
    const listed = await client.list<Machine>(machinesType, namespace, { limit: 1 });
    const watching = client
      .watch(
        machinesType,
        namespace,
        { resourceVersion: listed.metadata.resourceVersion },
        (event) => {
          const m = event.object as unknown as Machine;
          if (m.spec?.claimRef) claimed.add(m.metadata.name);
          else claimed.delete(m.metadata.name);
        },
        abort.signal,
      )
      .catch(() => {});

    started = Date.now();
    const cdLimit = pLimit(16);
    await Promise.all(
      Array.from({ length: clusters }, (_, i) =>
        cdLimit(() =>
          client.create(clusterDeploymentsType, namespace, {
            apiVersion: API_VERSION,
            kind: 'ClusterDeployment',
            metadata: { name: `c${String(i).padStart(4, '0')}` },
            spec: {
              kubernetesVersion: '1.34.4',
              networkPlugin: 'calico',
              sshKeySecret: 'bench-ssh',
              machineSets: [
                {
                  name: 'cp',
                  role: 'control-plane',
                  replicas: 1,
                  selector: { matchLabels: { pool: 'bench' } },
                },
                {
                  name: 'workers',
                  role: 'worker',
                  replicas: perCluster - 1,
                  selector: { matchLabels: { pool: 'bench' } },
                },
              ],
            },
          }),
        ),
      ),
    );
    const createdMs = Date.now() - started;
    while (claimed.size < machines && Date.now() - started < budgetMs)
      await new Promise((r) => setTimeout(r, 500));
    const elapsedMs = Date.now() - started;
    const peakKiB = operator.pid ? rssPeakKiB(operator.pid) : 0;
    const reached = claimed.size;
    await new Promise((r) => setTimeout(r, 2500)); // one more stats line
    abort.abort();
    await watching;
    const stats = lastStats;

    line(
      'size asked',
      `${clusters} ClusterDeployments x ${perCluster} = ${machines} Machines (${workers} workers)`,
    );
    line('ClusterDeployments created in', `${(createdMs / 1000).toFixed(1)} s`);
    line('machines bound', `${reached} of ${machines}`);
    line(
      'time to bind',
      `${(elapsedMs / 1000).toFixed(1)} s${reached < machines ? ' (budget ran out)' : ''}`,
    );
    line('bind rate', `${(reached / (elapsedMs / 1000)).toFixed(1)} machines/s`);
    if (stats) {
      line(
        'operator API requests',
        `${stats.requests} (${Object.entries(stats.byVerb)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')})`,
      );
      line('operator requests per bound machine', (stats.requests / Math.max(1, reached)).toFixed(2));
      line('operator memory now (RSS / heap)', `${mib(stats.rssBytes)} / ${mib(stats.heapUsedBytes)}`);
      if (stats.cpuSeconds !== undefined) {
        const share = ((stats.cpuSeconds * 1000 * 100) / elapsedMs).toFixed(0);
        line('operator CPU time (user+system)', `${stats.cpuSeconds.toFixed(1)} s (${share} % of one core)`);
      }
    }
    line('operator peak RSS (VmHWM)', mib(peakKiB * 1024));
    if (reached < machines && reached > 0) {
      const projected = (elapsedMs / reached) * machines;
      line('EXTRAPOLATED (linear) time to bind all', `${(projected / 1000).toFixed(0)} s  [not measured]`);
    }
  } finally {
    operator?.kill('SIGTERM');
    if (plane) await plane.stop();
    else {
      await client
        .delete({ group: '', version: 'v1', plural: 'namespaces' }, undefined, namespace)
        .catch(() => {});
      process.stdout.write(
        `  note: namespace ${namespace} was deleted; objects with finalizers need the operator running to go\n`,
      );
    }
    client.close();
  }
}
