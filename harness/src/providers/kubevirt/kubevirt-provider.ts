import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import pLimit from 'p-limit';
import { KvError } from '../../contracts/errors.ts';
import type { MachineSpec, RunIdentity } from '../../contracts/machine.ts';
import type { PhaseTiming } from '../../contracts/result-record.ts';
import type {
  Machine,
  PreflightCheck,
  Provider,
  ReapOptions,
  ReapReport,
  UpRequest,
  UpResult,
} from '../provider.ts';
import { type KubeObject, virtualMachines } from './api-resources.ts';
import { dumpNamespaceLogs } from './dump-logs.ts';
import { annotationRunnerPod, identityLabels, namespaceFor } from './identity.ts';
import {
  createJobNamespace,
  createSentinel,
  deleteNamespaceAndWait,
  deleteSentinel,
  sentinelName,
} from './job-namespace.ts';
import {
  apiFailure,
  connectKube,
  httpStatus,
  type KubeClients,
  kubeconfigAvailable,
} from './kube-clients.ts';
import { type KubevirtOptions, readKubevirtOptions } from './kubevirt-options.ts';
import { checkDataSourceReady, runPreflight } from './preflight.ts';
import { reapNamespaces } from './reap.ts';
import {
  loadVmTemplate,
  renderVirtualMachine,
  rootDiskName,
  templateDataSource,
  vmNameFor,
} from './render-machine.ts';
import { type KubevirtRunState, readRunState, writeRunState } from './run-state.ts';
import { waitForCloudInit, waitForSshLogin } from './ssh-ready.ts';
import { type TrackedMachine, waitForMachines } from './wait-for-machines.ts';

// Machines as KubeVirt VMs on a cluster: one namespace per run, each root disk a CDI clone of a
// golden image, ready when a real SSH login works and cloud-init is done. `down` and `reap` are
// idempotent and need nothing but the run identity.
export class KubevirtProvider implements Provider {
  readonly name = 'kubevirt';
  readonly options: KubevirtOptions;
  #clients: KubeClients | undefined;

  constructor(options: Partial<KubevirtOptions> = {}) {
    this.options = { ...readKubevirtOptions(), ...options };
  }

  get clients(): KubeClients {
    this.#clients ??= connectKube(this.options.kubeconfig);
    return this.#clients;
  }

  async preflight(machines: MachineSpec[]): Promise<PreflightCheck[]> {
    return runPreflight(this.clients, this.options, machines);
  }

  async up(request: UpRequest): Promise<UpResult> {
    const { id, machines, stateDir, signal } = request;
    const log = request.log ?? (() => {});
    const opts = this.options;
    const phases: PhaseTiming[] = [];
    const started = Date.now();
    const deadline = started + opts.readyTimeoutMs;

    // Everything that can be checked before the namespace exists is checked first: nothing leaks.
    const templates = new Map<string, Awaited<ReturnType<typeof loadVmTemplate>>>();
    for (const os of new Set(machines.map((m) => m.os))) {
      const loaded = await loadVmTemplate(opts.templatesDir, os);
      templates.set(os, loaded);
      const ref = templateDataSource(loaded.template);
      if (ref) {
        const namespace = opts.imageNamespace ?? ref.namespace ?? 'default';
        const check = await checkDataSourceReady(this.clients, namespace, ref.name, `datasource-${os}`);
        if (!check.ok)
          throw new KvError(
            'PREFLIGHT',
            `golden image for ${os}: ${check.detail}`,
            check.hint ? { hint: check.hint } : {},
          );
      }
    }
    await mkdir(stateDir, { recursive: true });
    const keyFile = await generateKey(stateDir, id.runId);
    const publicKey = await import('node:fs/promises').then((fs) => fs.readFile(`${keyFile}.pub`, 'utf8'));

    const owner = opts.runner
      ? { ...(await createSentinel(this.clients, opts.runner, id, namespaceFor(id))), runner: opts.runner }
      : {};
    const ns = await createJobNamespace(this.clients, id, machines, opts.ttlMs, opts.now(), owner);
    phases.push({
      phase: 'namespace',
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
    });
    log(`namespace ${ns.name} ready`);
    const state: KubevirtRunState = {
      namespace: ns.name,
      keyFile,
      sshPort: opts.sshPort,
      machines: machines.map((m) => ({ machine: m.name, vm: vmNameFor(m) })),
      ...(ns.sentinel ? { sentinel: ns.sentinel } : {}),
    };
    await writeRunState(stateDir, state);

    const annotations: Record<string, string> = {};
    if (opts.runner)
      annotations[annotationRunnerPod] =
        `${opts.runner.namespace}/${opts.runner.name}/${ns.runnerPodUid ?? ''}`;
    const params = {
      namespace: ns.name,
      labels: identityLabels(id),
      annotations,
      publicKey,
      ...(opts.storageClass ? { storageClass: opts.storageClass } : {}),
      ...(opts.imageNamespace ? { imageNamespace: opts.imageNamespace } : {}),
      ...(opts.instancetype ? { instancetype: opts.instancetype } : {}),
    };
    const tracked: TrackedMachine[] = machines.map((m) => ({
      machine: m.name,
      vm: vmNameFor(m),
      disk: rootDiskName(vmNameFor(m)),
      createdAt: Date.now(),
    }));
    const byVm = new Map(tracked.map((t) => [t.vm, t]));
    const sshFor = (address: string) => ({ host: address, port: opts.sshPort, user: 'root', keyFile });
    const waitAbort = new AbortController();
    const onAbort = (): void => waitAbort.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort);

    // Watches start before the first VM exists, so no transition is missed.
    const ready = waitForMachines({
      clients: this.clients,
      namespace: ns.name,
      machines: tracked,
      deadline,
      phases,
      log,
      signal: waitAbort.signal,
      onVmiReady: async (m, address) => {
        await waitForSshLogin(sshFor(address), deadline, waitAbort.signal);
        mark(phases, m, 'ssh-ready');
        const status = await waitForCloudInit(
          sshFor(address),
          Math.max(1000, deadline - Date.now()),
          waitAbort.signal,
        );
        mark(phases, m, 'cloud-init-done');
        log(`${m.machine}: ${status.split('\n')[0] ?? 'cloud-init done'}`);
      },
    });
    ready.catch(() => {});

    try {
      const limit = pLimit(opts.concurrency);
      await Promise.all(
        machines.map((m) =>
          limit(async () => {
            const loaded = templates.get(m.os);
            if (!loaded) throw new Error(`no template for ${m.os}`);
            const vm = renderVirtualMachine(loaded.file, loaded.template, m, params);
            const t = byVm.get(vmNameFor(m));
            if (t) t.createdAt = Date.now();
            await this.createVirtualMachine(ns.name, vm);
          }),
        ),
      );
      const ups = await ready;
      const result = new Map(ups.map((u) => [u.vm, u]));
      state.machines = state.machines.map((m) => ({ ...m, address: result.get(m.vm)?.address ?? '' }));
      await writeRunState(stateDir, state);
      const out: Machine[] = machines.map((spec) => {
        const up = result.get(vmNameFor(spec));
        const address = up?.address ?? '';
        return {
          name: spec.name,
          address,
          sshHost: address,
          sshPort: opts.sshPort,
          sshUser: 'root',
          sshKeyFile: keyFile,
          facts: {
            kvmatrix_provider: 'kubevirt',
            kvmatrix_node_is_container: false,
            kvmatrix_kubevirt_namespace: ns.name,
            kvmatrix_kubevirt_clone_type: up?.cloneType ?? 'unknown',
            ...(up?.cloneFallback ? { kvmatrix_kubevirt_clone_fallback: up.cloneFallback } : {}),
            ...(up?.nodeName ? { kvmatrix_kubevirt_node: up.nodeName } : {}),
          },
        };
      });
      return { machines: out, phases };
    } catch (error) {
      waitAbort.abort(error);
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  // Server-side field validation Strict: a template with a misspelt field fails here, loudly.
  // 403 right after the RoleBinding is the authorizer's cache catching up: retried briefly.
  private async createVirtualMachine(namespace: string, vm: KubeObject): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.clients.custom.createNamespacedCustomObject({
          ...virtualMachines,
          namespace,
          body: vm,
          fieldValidation: 'Strict',
        });
        return;
      } catch (error) {
        if (httpStatus(error) === 409) return;
        if (httpStatus(error) === 403 && attempt < 10) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          continue;
        }
        throw apiFailure(`cannot create VirtualMachine ${namespace}/${vm.metadata?.name}`, error);
      }
    }
  }

  async down(id: RunIdentity, stateDir: string): Promise<void> {
    const state = await readRunState(stateDir);
    const namespace = state?.namespace ?? namespaceFor(id);
    await deleteNamespaceAndWait(this.clients, namespace, 10 * 60_000);
    const sentinel =
      state?.sentinel ??
      (this.options.runner
        ? { namespace: this.options.runner.namespace, name: sentinelName(namespace) }
        : undefined);
    if (sentinel) await deleteSentinel(this.clients, sentinel);
  }

  async dumpLogs(id: RunIdentity, stateDir: string, outDir: string): Promise<string[]> {
    const state = await readRunState(stateDir);
    return dumpNamespaceLogs(this.clients, state?.namespace ?? namespaceFor(id), state, outDir);
  }

  // With no cluster configured at all there is nothing this machine could have left behind.
  async reap(options: ReapOptions): Promise<ReapReport> {
    if (!this.#clients && !kubeconfigAvailable(this.options.kubeconfig)) return { removed: [], kept: [] };
    return reapNamespaces(this.clients, options, this.options.now());
  }
}

function mark(phases: PhaseTiming[], m: TrackedMachine, phase: string): void {
  phases.push({
    phase,
    machine: m.machine,
    startedAt: new Date(m.createdAt).toISOString(),
    durationMs: Date.now() - m.createdAt,
  });
}

// A fresh ed25519 key per run, kept in the run's state directory (removed with it).
async function generateKey(stateDir: string, runId: string): Promise<string> {
  const keyFile = path.join(stateDir, 'id_ed25519');
  await rm(keyFile, { force: true });
  await rm(`${keyFile}.pub`, { force: true });
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `kvmatrix-${runId}`, '-f', keyFile]);
  return keyFile;
}
