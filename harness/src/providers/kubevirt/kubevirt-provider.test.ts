import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineSpec, RunIdentity } from '../../contracts/machine.ts';
import { repoRoot } from '../../host/paths.ts';
import { type KubeObject, virtualMachines } from './api-resources.ts';
import { namespaceFor } from './identity.ts';
import { createJobNamespace, createSentinel } from './job-namespace.ts';
import { connectKube, isNotFound, type KubeClients } from './kube-clients.ts';
import type { KubevirtOptions } from './kubevirt-options.ts';
import { KubevirtProvider } from './kubevirt-provider.ts';
import { type LocalSshd, startLocalSshd } from './test/local-sshd.ts';
import { type Behaviour, startStandinController } from './test/standin-controller.ts';
import {
  applyManifest,
  createDeployedOperatorCrs,
  createReadyDataSource,
  installCrds,
  kubeconfigForServiceAccount,
} from './test/test-cluster.ts';
import { testbedKubeconfig } from './test/testbed-kubeconfig.ts';

// The provider against a real kube-apiserver (issue 4's testbed) with the real, generated
// KubeVirt and CDI CRDs; test/standin-controller.ts plays virt-controller and CDI, and a real
// sshd on 127.0.0.1 plays the guests' sshd (see those files for what is stood in and why).
const kubeconfig = testbedKubeconfig();
const suffix = `${process.pid}-${Date.now().toString(36)}`;
const imageNamespace = `kvm-kubevirt-images-${suffix}`;
const runnerNamespace = `kvm-kubevirt-runner-${suffix}`;

const machine = (name: string): MachineSpec => ({
  name,
  roles: ['worker'],
  os: 'debian12',
  cpus: 2,
  memoryMiB: 2048,
  diskGiB: 20,
});

describe.skipIf(kubeconfig === undefined)('KubevirtProvider on a real API server', () => {
  let clients: KubeClients;
  let workDir: string;
  const cleanups: Array<() => Promise<void>> = [];

  const provider = (extra: Partial<KubevirtOptions> = {}) =>
    new KubevirtProvider({ kubeconfig: kubeconfig ?? '', imageNamespace, readyTimeoutMs: 60_000, ...extra });

  // One run: a state dir, an sshd that trusts the key `up` will write there, the stand-in.
  const prepareRun = async (runId: string, behaviour: (vm: string) => Behaviour = () => 'ok') => {
    const stateDir = path.join(workDir, runId);
    const sshd: LocalSshd = await startLocalSshd(path.join(stateDir, 'id_ed25519.pub'));
    cleanups.push(sshd.stop);
    const id: RunIdentity = {
      runId,
      cell: 'debian12-1.34-containerd-calico-ha-deploy',
      pipeline: '4242',
      job: '77',
    };
    const stop = startStandinController({ ...clients, namespace: namespaceFor(id), behaviour });
    cleanups.push(async () => stop());
    return { id, stateDir, sshd };
  };

  beforeAll(async () => {
    clients = connectKube(kubeconfig);
    workDir = await mkdtemp(path.join(tmpdir(), 'kvm-kubevirt-test-'));
    await installCrds(clients.kc);
    await applyManifest(clients, 'vm-templates/rbac/cluster.yaml', { 'gitlab-runner': runnerNamespace });
    await applyManifest(clients, 'vm-templates/golden-images/namespace.yaml', {
      'kvmatrix-images': imageNamespace,
    });
    await applyManifest(clients, 'vm-templates/golden-images/debian12.yaml', {
      'kvmatrix-images': imageNamespace,
    });
    await createReadyDataSource(clients, imageNamespace, 'kvmatrix-debian12');
    await createDeployedOperatorCrs(clients, `kvm-kubevirt-operators-${suffix}`);
    await clients.core.createNamespace({ body: { metadata: { name: runnerNamespace } } });
    await applyManifest(clients, 'vm-templates/rbac/runner-namespace.yaml', {
      'gitlab-runner': runnerNamespace,
    });
    await applyManifest(clients, 'vm-templates/rbac/golden-images.yaml', {
      'kvmatrix-images': imageNamespace,
      'gitlab-runner': runnerNamespace,
    });
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    for (const name of [imageNamespace, runnerNamespace, `kvm-kubevirt-operators-${suffix}`])
      await clients?.core.deleteNamespace({ name }).catch(() => {});
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('brings a 3-VM cell up with its namespace, quota, labels, sentinel and phase timings, and down leaves nothing', async () => {
    const pod = await clients.core.createNamespacedPod({
      namespace: runnerNamespace,
      body: {
        metadata: { name: 'runner-job-77' },
        spec: { containers: [{ name: 'build', image: 'node:24-bookworm' }] },
      },
    });
    const { id, stateDir, sshd } = await prepareRun(`cell3-${suffix}`);
    // The provider runs as the runner's service account with vm-templates/rbac/ and nothing more.
    const asRunner = await kubeconfigForServiceAccount(
      clients,
      runnerNamespace,
      'kvmatrix-ci',
      path.join(workDir, 'runner.kubeconfig'),
    );
    const kv = provider({
      kubeconfig: asRunner,
      sshPort: sshd.port,
      runner: { namespace: runnerNamespace, name: 'runner-job-77' },
    });
    const checks = await kv.preflight([machine('cp-1')]);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.map((c) => c.name)).toEqual([
      'kubeconfig',
      'kubevirt-ready',
      'cdi-ready',
      'datasource-debian12',
      'permissions',
    ]);
    const lines: string[] = [];
    const result = await kv.up({
      id,
      machines: ['cp-1', 'w-1', 'w-2'].map(machine),
      stateDir,
      log: (l) => lines.push(l),
    });

    expect(result.machines.map((m) => [m.name, m.address, m.sshPort, m.sshUser])).toEqual([
      ['cp-1', '127.0.0.1', sshd.port, 'root'],
      ['w-1', '127.0.0.1', sshd.port, 'root'],
      ['w-2', '127.0.0.1', sshd.port, 'root'],
    ]);
    expect(result.machines[0]?.facts).toMatchObject({
      kvmatrix_provider: 'kubevirt',
      kvmatrix_kubevirt_clone_type: 'snapshot',
    });
    for (const name of ['cp-1', 'w-1', 'w-2']) {
      const phases = result.phases.filter((p) => p.machine === name).map((p) => p.phase);
      expect(phases).toEqual(
        expect.arrayContaining([
          'datavolume-bound',
          'vm-scheduled',
          'vmi-running',
          'ssh-ready',
          'cloud-init-done',
        ]),
      );
      expect(phases.indexOf('datavolume-bound')).toBeLessThan(phases.indexOf('vmi-running'));
      expect(phases.indexOf('vmi-running')).toBeLessThan(phases.indexOf('ssh-ready'));
    }

    const ns = namespaceFor(id);
    const namespace = await clients.core.readNamespace({ name: ns });
    expect(namespace.metadata?.labels).toMatchObject({
      'kvmatrix.io/pipeline': '4242',
      'kvmatrix.io/job': '77',
      'kvmatrix.io/cell': 'debian12-1.34-containerd-calico-ha-deploy',
      'app.kubernetes.io/managed-by': 'kvmatrix',
    });
    expect(Number(namespace.metadata?.labels?.['kvmatrix.io/expires-at'])).toBeGreaterThan(
      Date.now() / 1000 + 2 * 3600,
    );
    const quota = await clients.core.readNamespacedResourceQuota({ namespace: ns, name: 'kvmatrix' });
    expect(quota.spec?.hard).toMatchObject({
      'requests.cpu': '6',
      pods: '9',
      'requests.storage': '120Gi',
    });
    const vms = (
      (await clients.custom.listNamespacedCustomObject({ ...virtualMachines, namespace: ns })) as {
        items: KubeObject[];
      }
    ).items;
    expect(vms.map((vm) => vm.metadata?.name).sort()).toEqual(['cp-1', 'w-1', 'w-2']);
    for (const vm of vms) {
      expect(vm.metadata?.labels).toMatchObject({
        'kvmatrix.io/job': '77',
        'kvmatrix.io/machine': vm.metadata?.name,
      });
      expect(vm.metadata?.annotations?.['kvmatrix.io/runner-pod']).toBe(
        `${runnerNamespace}/runner-job-77/${pod.metadata?.uid}`,
      );
    }
    const sentinel = await clients.core.readNamespacedConfigMap({
      namespace: runnerNamespace,
      name: `kvmatrix-${ns}`,
    });
    expect(sentinel.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'Pod',
      name: 'runner-job-77',
      uid: pod.metadata?.uid,
    });

    const files = await kv.dumpLogs(id, stateDir, path.join(stateDir, 'logs'));
    expect(files.map((f) => path.basename(f))).toEqual(
      expect.arrayContaining([
        'kubevirt-objects.yaml',
        'events.txt',
        'cp-1-serial-console.log',
        'cp-1-cloud-init.log',
      ]),
    );

    await kv.down(id, stateDir);
    await expect(clients.core.readNamespace({ name: ns })).rejects.toSatisfy(isNotFound);
    await expect(
      clients.core.readNamespacedConfigMap({ namespace: runnerNamespace, name: `kvmatrix-${ns}` }),
    ).rejects.toSatisfy(isNotFound);
    await kv.down(id, stateDir);
  }, 120_000);

  it('fails fast with the DataVolume reason when a clone fails', async () => {
    const { id, stateDir, sshd } = await prepareRun(`dverr-${suffix}`, (vm) =>
      vm === 'w-2' ? 'datavolume-error' : 'ok',
    );
    const kv = provider({ sshPort: sshd.port, readyTimeoutMs: 300_000 });
    const started = Date.now();
    await expect(kv.up({ id, machines: ['w-1', 'w-2'].map(machine), stateDir })).rejects.toThrow(
      /machine w-2: DataVolume w-2-rootdisk failed: Error: Unable to clone: source PVC .* not found/,
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    await kv.down(id, stateDir);
  }, 60_000);

  it('fails fast when a VM cannot be scheduled, and reports a host-assisted clone fallback', async () => {
    const { id, stateDir, sshd } = await prepareRun(`sched-${suffix}`, (vm) =>
      vm === 'w-1' ? 'clone-fallback' : 'unschedulable',
    );
    const lines: string[] = [];
    const kv = provider({ sshPort: sshd.port, readyTimeoutMs: 300_000 });
    await expect(
      kv.up({ id, machines: ['w-1', 'w-2'].map(machine), stateDir, log: (l) => lines.push(l) }),
    ).rejects.toThrow(
      /machine w-2: VMI w-2 cannot be scheduled: 0\/3 nodes are available: 3 Insufficient memory/,
    );
    await kv.down(id, stateDir);

    const fallback = await prepareRun(`copy-${suffix}`, () => 'clone-fallback');
    const up = await provider({ sshPort: fallback.sshd.port }).up({
      id: fallback.id,
      machines: [machine('w-1')],
      stateDir: fallback.stateDir,
      log: (l) => lines.push(l),
    });
    expect(up.machines[0]?.facts).toMatchObject({ kvmatrix_kubevirt_clone_type: 'copy' });
    expect(lines.join('\n')).toContain('CDI fell back to a host-assisted copy');
    await provider().down(fallback.id, fallback.stateDir);
  }, 90_000);

  it('reaps an expired namespace and one whose runner pod is gone, and spares a live one', async () => {
    const kv = provider();
    const past = new Date(Date.now() - 4 * 3600_000);
    const expired: RunIdentity = { runId: `expired-${suffix}`, cell: 'c' };
    const live: RunIdentity = { runId: `live-${suffix}`, cell: 'c' };
    const orphan: RunIdentity = { runId: `orphan-${suffix}`, cell: 'c' };
    await createJobNamespace(clients, expired, [machine('a')], 3 * 3600_000, past, {});
    await createJobNamespace(clients, live, [machine('a')], 3 * 3600_000, new Date(), {});
    await clients.core.createNamespacedPod({
      namespace: runnerNamespace,
      body: {
        metadata: { name: 'runner-dead' },
        spec: { containers: [{ name: 'build', image: 'node:24-bookworm' }] },
      },
    });
    const runner = { namespace: runnerNamespace, name: 'runner-dead' };
    const owner = await createSentinel(clients, runner, orphan, namespaceFor(orphan));
    await createJobNamespace(clients, orphan, [machine('a')], 3 * 3600_000, new Date(), { ...owner, runner });
    // The runner pod dies: garbage collection takes its sentinel (done here by hand when the
    // testbed runs without kube-controller-manager's garbage collector).
    await clients.core.deleteNamespacedPod({
      namespace: runnerNamespace,
      name: 'runner-dead',
      gracePeriodSeconds: 0,
    });
    await clients.core
      .deleteNamespacedConfigMap({ namespace: runnerNamespace, name: owner.sentinel.name })
      .catch(() => {});

    const report = await kv.reap({});
    expect(report.removed).toEqual(expect.arrayContaining([namespaceFor(expired), namespaceFor(orphan)]));
    expect(report.kept).toContain(namespaceFor(live));
    await expect(clients.core.readNamespace({ name: namespaceFor(expired) })).rejects.toSatisfy(isNotFound);
    await clients.core.readNamespace({ name: namespaceFor(live) });
    await kv.down(live, path.join(workDir, 'none'));
  }, 90_000);

  it('leaves nothing reap cannot find when the harness is killed right after creating the namespace', async () => {
    const runId = `killed-${suffix}`;
    const stateDir = path.join(workDir, runId);
    const child = spawn(
      path.join(repoRoot, 'node_modules', '.bin', 'node'),
      [fileURLToPath(new URL('./test/up-then-hang.ts', import.meta.url))],
      {
        env: {
          ...process.env,
          KVM_TEST_KUBECONFIG: kubeconfig,
          KVM_TEST_IMAGE_NAMESPACE: imageNamespace,
          KVM_TEST_RUN_ID: runId,
          KVM_TEST_STATE_DIR: stateDir,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        output += String(chunk);
        if (output.includes('namespace ') && output.includes(' ready')) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.stderr.on('data', (chunk) => {
        output += String(chunk);
      });
      child.once('exit', () => resolve());
      setTimeout(() => reject(new Error(`the harness never created its namespace: ${output}`)), 30_000);
    });
    await new Promise((resolve) => child.once('exit', resolve));
    const ns = namespaceFor({ runId, cell: 'x' });
    const left = await clients.core.readNamespace({ name: ns });
    expect(left.metadata?.labels?.['app.kubernetes.io/managed-by']).toBe('kvmatrix');

    // Not expired yet and no runner pod recorded: a live-looking namespace is spared...
    expect((await provider().reap({})).kept).toContain(ns);
    // ...until `kvmatrix reap --older-than` (the CLI, as a scheduled pipeline runs it) finds it.
    const cli = await execa(
      path.join(repoRoot, 'node_modules', '.bin', 'node'),
      [
        path.join(repoRoot, 'harness', 'bin', 'kvmatrix.ts'),
        'reap',
        '--provider',
        'kubevirt',
        '--older-than',
        '1s',
      ],
      {
        env: { KVMATRIX_KUBECONFIG: kubeconfig },
        reject: false,
      },
    );
    expect(cli.exitCode, String(cli.stderr)).toBe(0);
    expect(cli.stdout).toContain(`removed kubevirt: ${ns}`);
    await expect(clients.core.readNamespace({ name: ns })).rejects.toSatisfy(isNotFound);
    const stray = (await clients.custom.listClusterCustomObject({
      ...virtualMachines,
      labelSelector: `kvmatrix.io/run-id=${runId}`,
    })) as { items: unknown[] };
    expect(stray.items).toEqual([]);
  }, 90_000);
});
