import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import type { MachineSpec, RunIdentity } from '../../contracts/machine.ts';
import type { PhaseTiming } from '../../contracts/result-record.ts';
import { assertRunId, LABEL_MACHINE, LABEL_RUN, labelsFor } from '../../host/labels.ts';
import { ensureRunKey, waitForSsh } from '../../host/ssh.ts';
import { startConcurrency } from '../local/concurrency.ts';
import { raiseRunSysctls } from '../local/host-sysctls.ts';
import { releaseLocalRun, upLocalRun } from '../local/local-run.ts';
import { timePhase } from '../local/phases.ts';
import type {
  Machine,
  PreflightCheck,
  Provider,
  ReapOptions,
  ReapReport,
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

  up(request: UpRequest): Promise<UpResult> {
    return upLocalRun(this, request, (phases) => this.startNodes(request, phases));
  }

  private async startNodes(
    request: UpRequest,
    phases: PhaseTiming[],
  ): Promise<{ machines: Machine[]; artifactHost: string }> {
    const { id, stateDir } = request;
    const log = request.log ?? (() => {});
    const labels = labelsFor(id);
    for (const line of await raiseRunSysctls()) log(`host sysctl raised for this run: ${line}`);
    // The image check, the run key and the network do not depend on each other. All three are
    // settled before a failure is thrown, so `down` never races a network still being made.
    const images = new Map<string, string>();
    const authorizedKeysFile = path.join(stateDir, 'authorized_keys');
    const [imageDone, key, network] = await Promise.allSettled([
      timePhase(phases, 'image', async () => {
        for (const os of new Set(request.machines.map((m) => m.os)))
          images.set(os, await ensurePodmanImage(os, log));
      }),
      ensureRunKey(stateDir).then(async (key) => {
        await writeFile(authorizedKeysFile, `${key.publicKey}\n`, { mode: 0o600 });
        return key;
      }),
      timePhase(phases, 'network', () => createRunNetwork(id.runId, request.machines.length, labels)),
    ]);
    for (const step of [imageDone, key, network]) if (step.status === 'rejected') throw step.reason;
    const { keyFile } = (key as PromiseFulfilledResult<{ keyFile: string }>).value;
    const plan = (network as PromiseFulfilledResult<Awaited<ReturnType<typeof createRunNetwork>>>).value;
    const hosts = request.machines.map((m, i) => ({ name: m.name, address: plan.addresses[i] ?? '' }));
    const limits = await hardLimits();
    const limit = pLimit(startConcurrency(request.machines.length, 64, 2));
    // Each node is waited for as soon as it started: its boot and login overlap the next starts.
    // The first failure stops the other waits, and every start is settled before `down` runs.
    const failed = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, failed.signal]) : failed.signal;
    const settled = await Promise.allSettled(
      request.machines
        .map(async (spec, i): Promise<Machine> => {
          const address = plan.addresses[i] ?? '';
          await limit(async () => {
            signal.throwIfAborted();
            await timePhase(
              phases,
              'start',
              () => this.startNode(id, spec, address, hosts, images, authorizedKeysFile, labels, limits),
              spec.name,
            );
          });
          log(`${spec.name}: container started at ${address}`);
          const machine: Machine = {
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
          await timePhase(
            phases,
            'ssh',
            () =>
              waitForSsh(
                { host: address, port: 22, user: 'root', keyFile },
                { timeoutMs: 90_000, signal, what: `node ${spec.name}` },
              ),
            spec.name,
          );
          log(`${spec.name}: SSH ready`);
          return machine;
        })
        .map((p) =>
          p.catch((error: unknown) => {
            failed.abort(error);
            throw error;
          }),
        ),
    );
    const machines: Machine[] = [];
    for (const result of settled) {
      if (result.status === 'rejected') throw failed.signal.reason ?? result.reason;
      machines.push(result.value);
    }
    return { machines, artifactHost: plan.gateway };
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
    const volumeLabels = Object.entries({ ...labels, [LABEL_MACHINE]: spec.name }).flatMap(([k, v]) => [
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
    await releaseLocalRun(id.runId, stateDir);
  }

  async dumpLogs(id: RunIdentity, _stateDir: string, outDir: string): Promise<string[]> {
    await mkdir(outDir, { recursive: true });
    const files: string[] = [];
    const names = (
      await podman(['ps', '-a', '--filter', `label=${LABEL_RUN}=${id.runId}`, '--format', '{{.Names}}'])
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
