import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { startConcurrency } from '../common/concurrency.ts';
import { raiseRunSysctls, registerRunSysctls, releaseRunSysctls } from '../common/host-sysctls.ts';
import { timePhase } from '../common/phases.ts';
import { removeRunIndex, writeRunIndex } from '../common/run-index.ts';
import { assertMachineName, assertRunId, labelsFor } from '../common/run-labels.ts';
import { ensureRunKey, waitForSsh } from '../common/ssh.ts';
import { wrapUpFailure } from '../common/up-failure.ts';
import type {
  Machine,
  MachineSpec,
  PhaseTiming,
  PreflightCheck,
  Provider,
  ReapOptions,
  ReapReport,
  RunIdentity,
  UpRequest,
  UpResult,
} from '../provider.ts';
import { podman, podmanOk } from './podman.ts';
import { ensurePodmanImage } from './podman-image.ts';
import { createRunNetwork, networkName } from './podman-network.ts';
import { preflightPodman } from './podman-preflight.ts';
import { reapPodman } from './podman-reap.ts';
import { containerName, hardLimits, nodeContainerArgs, volumeName } from './podman-run-args.ts';
import { removePodmanRun } from './podman-teardown.ts';

// Each machine a privileged system container running systemd on a private podman bridge network
// (as kind and Molecule's podman driver do): seconds to start, tens of MiB each. The host reaches
// the containers' addresses directly (root podman, bridge network), so SSH goes to port 22.
export class PodmanProvider implements Provider {
  readonly name = 'podman';

  preflight(machines: MachineSpec[]): Promise<PreflightCheck[]> {
    return preflightPodman(machines);
  }

  async up(request: UpRequest): Promise<UpResult> {
    const { id, stateDir } = request;
    const log = request.log ?? (() => {});
    assertRunId(id.runId);
    for (const m of request.machines) assertMachineName(m.name);
    const phases: PhaseTiming[] = [];
    const labels = labelsFor(id);
    try {
      await mkdir(stateDir, { recursive: true, mode: 0o700 });
      await writeRunIndex({
        id,
        provider: this.name,
        stateDir,
        createdAt: new Date().toISOString(),
        pid: process.pid,
      });
      await registerRunSysctls(id.runId, this.name);
      for (const line of await raiseRunSysctls()) log(`host sysctl raised for this run: ${line}`);
      const images = new Map<string, string>();
      await timePhase(phases, 'image', async () => {
        for (const os of new Set(request.machines.map((m) => m.os)))
          images.set(os, await ensurePodmanImage(os, log));
      });
      const { keyFile, publicKey } = await ensureRunKey(stateDir);
      const authorizedKeysFile = path.join(stateDir, 'authorized_keys');
      await writeFile(authorizedKeysFile, `${publicKey}\n`, { mode: 0o600 });
      const plan = await timePhase(phases, 'network', () =>
        createRunNetwork(id.runId, request.machines.length, labels),
      );
      const hosts = request.machines.map((m, i) => ({ name: m.name, address: plan.addresses[i] ?? '' }));
      const limits = await hardLimits();
      const limit = pLimit(startConcurrency(request.machines.length, 64, 2));
      const machines = await Promise.all(
        request.machines.map((spec, i) =>
          limit(async (): Promise<Machine> => {
            request.signal?.throwIfAborted();
            const address = plan.addresses[i] ?? '';
            await timePhase(
              phases,
              'start',
              () => this.startNode(id, spec, address, hosts, images, authorizedKeysFile, labels, limits),
              spec.name,
            );
            log(`${spec.name}: container started at ${address}`);
            return {
              name: spec.name,
              address,
              sshHost: address,
              sshPort: 22,
              sshUser: 'root',
              sshKeyFile: keyFile,
              facts: {
                kvmatrix_node_is_container: true,
                kvmatrix_provider: this.name,
                kvmatrix_node_os: spec.os,
              },
            };
          }),
        ),
      );
      await Promise.all(
        machines.map((m) =>
          timePhase(
            phases,
            'ssh',
            async () => {
              await waitForSsh(
                { host: m.sshHost, port: m.sshPort, user: m.sshUser, keyFile: m.sshKeyFile },
                { timeoutMs: 90_000, signal: request.signal, what: `node ${m.name}` },
              );
              log(`${m.name}: SSH ready`);
            },
            m.name,
          ),
        ),
      );
      await writeFile(path.join(stateDir, 'machines.json'), `${JSON.stringify(machines, null, 2)}\n`);
      return { machines, phases, artifactHost: plan.gateway };
    } catch (error) {
      await this.down(id, stateDir).catch(() => {});
      throw wrapUpFailure(error, this.name, stateDir);
    }
  }

  private async startNode(
    id: RunIdentity,
    spec: MachineSpec,
    address: string,
    hosts: Array<{ name: string; address: string }>,
    images: Map<string, string>,
    authorizedKeysFile: string,
    labels: Record<string, string>,
    limits: { nofile: number; nproc: number },
  ): Promise<void> {
    const volumeLabels = Object.entries({ ...labels, 'kvmatrix.machine': spec.name }).flatMap(([k, v]) => [
      '--label',
      `${k}=${v}`,
    ]);
    await podmanOk(['volume', 'create', ...volumeLabels, volumeName(id.runId, spec.name)], {
      what: `creating the containerd volume of ${spec.name}`,
    });
    const args = nodeContainerArgs({
      runId: id.runId,
      machine: spec,
      address,
      network: networkName(id.runId),
      image: images.get(spec.os) ?? '',
      authorizedKeysFile,
      hosts,
      labels,
      limits,
    });
    await podmanOk(args, {
      what: `starting node container ${containerName(id.runId, spec.name)}`,
      hint: 'see `podman logs` of the container; crun fails on hybrid cgroups, runc is required',
      timeoutMs: 120_000,
    });
  }

  // Idempotent: removes containers, volumes, the network, the state dir, and restores host sysctls.
  async down(id: RunIdentity, stateDir: string): Promise<void> {
    assertRunId(id.runId);
    await removePodmanRun(id.runId);
    await rm(stateDir, { recursive: true, force: true });
    await releaseRunSysctls(id.runId);
    await removeRunIndex(id.runId);
  }

  async dumpLogs(id: RunIdentity, _stateDir: string, outDir: string): Promise<string[]> {
    await mkdir(outDir, { recursive: true });
    const files: string[] = [];
    const names = (
      await podman(['ps', '-a', '--filter', `label=kvmatrix.run=${id.runId}`, '--format', '{{.Names}}'])
    ).stdout
      .split('\n')
      .filter(Boolean);
    for (const name of names) {
      const journal = await podman(['exec', name, 'journalctl', '--no-pager', '-b', '-o', 'short-precise'], {
        timeoutMs: 60_000,
      });
      const file = path.join(outDir, `${name}.journal.log`);
      await writeFile(file, journal.stdout || journal.stderr);
      files.push(file);
      const inspect = await podman(['inspect', name]);
      const inspectFile = path.join(outDir, `${name}.inspect.json`);
      await writeFile(inspectFile, inspect.stdout);
      files.push(inspectFile);
    }
    return files;
  }

  reap(options: ReapOptions): Promise<ReapReport> {
    return reapPodman(options);
  }
}
