import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { freemem } from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import { InfrastructureError } from '../../contracts/errors.ts';
import type { MachineSpec, RunIdentity } from '../../contracts/machine.ts';
import type { PhaseTiming } from '../../contracts/result-record.ts';
import { assertRunId } from '../../host/labels.ts';
import { ensureRunKey, sshRun } from '../../host/ssh.ts';
import { startConcurrency } from '../local/concurrency.ts';
import { ensureGoldenImage } from '../local/golden-image.ts';
import { releaseLocalRun, upLocalRun } from '../local/local-run.ts';
import { timePhase } from '../local/phases.ts';
import {
  type Machine,
  type PreflightCheck,
  type Provider,
  type ReapOptions,
  type ReapReport,
  sshTargetOf,
  type UpRequest,
  type UpResult,
} from '../provider.ts';
import { chooseAccel } from './accel-probe.ts';
import { startClone } from './qemu-machine.ts';
import { createRunBridge } from './qemu-network.ts';
import { preflightQemu } from './qemu-preflight.ts';
import { reapQemu } from './qemu-reap.ts';
import { removeQemuRun } from './qemu-teardown.ts';
import { ensureSnapshot } from './snapshot.ts';

// Real VMs: a golden qcow2 image, one overlay per VM, KVM where it works and TCG elsewhere, each
// VM resumed from a booted template snapshot and then given its own identity. The private network
// is a bridge with a tap per VM (the host at .1); SSH comes through a loopback port forward.
export class QemuProvider implements Provider {
  readonly name = 'qemu';

  preflight(machines: MachineSpec[]): Promise<PreflightCheck[]> {
    return preflightQemu(machines);
  }

  up(request: UpRequest): Promise<UpResult> {
    return upLocalRun(this, request, (phases) => this.startVms(request, phases));
  }

  private async startVms(
    request: UpRequest,
    phases: PhaseTiming[],
  ): Promise<{ machines: Machine[]; artifactHost: string }> {
    const { id, stateDir } = request;
    const log = request.log ?? (() => {});
    const { keyFile, publicKey } = await ensureRunKey(stateDir);
    const os = new Set(request.machines.map((m) => m.os));
    if (os.size > 1) throw new InfrastructureError('qemu: one OS per run for now');
    const image = await timePhase(phases, 'image', () => ensureGoldenImage([...os][0] ?? 'debian12', log));
    const accel = await timePhase(phases, 'accel', () => chooseAccel(image.kernel, image.initrd));
    log(`accelerator: ${accel.accel} (${accel.reason})`);
    const plan = await timePhase(phases, 'network', () => createRunBridge(id.runId, request.machines.length));
    const sizes = new Map<string, MachineSpec>();
    for (const m of request.machines) sizes.set(`${m.cpus}/${m.memoryMiB}`, m);
    const snapshots = new Map<string, Awaited<ReturnType<typeof ensureSnapshot>>>();
    await timePhase(phases, 'snapshot', async () => {
      for (const [key, m] of sizes)
        snapshots.set(key, await ensureSnapshot(image, accel, m.cpus, m.memoryMiB, log));
    });
    const hosts = request.machines.map((m, i) => ({ name: m.name, address: plan.addresses[i] ?? '' }));
    const maxMiB = Math.max(...request.machines.map((m) => m.memoryMiB));
    const needMiB = request.machines.reduce((sum, m) => sum + m.memoryMiB * 0.6, 0);
    if (needMiB * 2 ** 20 > freemem()) {
      throw new InfrastructureError(
        `qemu: ${request.machines.length} VMs need about ${Math.round(needMiB)} MiB, ${Math.round(freemem() / 2 ** 20)} MiB free`,
        { hint: 'use fewer or smaller machines, or the podman provider' },
      );
    }
    const limit = pLimit(startConcurrency(request.machines.length, maxMiB * 0.6, 2));
    const machines: Machine[] = await Promise.all(
      request.machines.map((spec, index) =>
        limit(() =>
          timePhase(
            phases,
            'start',
            async () => {
              const machine = await startClone({
                runId: id.runId,
                index,
                spec,
                address: plan.addresses[index] ?? '',
                prefix: plan.prefix,
                hosts,
                image,
                accel,
                snapshot: snapshots.get(`${spec.cpus}/${spec.memoryMiB}`) as NonNullable<
                  ReturnType<typeof snapshots.get>
                >,
                stateDir,
                runKeyFile: keyFile,
                runPublicKey: publicKey,
                phases,
                ...(request.signal ? { signal: request.signal } : {}),
              });
              log(
                `${spec.name}: SSH ready at 127.0.0.1:${machine.sshPort}, ${machine.address} on the run network`,
              );
              return machine;
            },
            spec.name,
          ),
        ),
      ),
    );
    return { machines, artifactHost: plan.gateway };
  }

  // Idempotent: stops the run's QEMUs (SIGTERM, then SIGKILL), removes taps, bridge, firewall
  // rule, overlays and the state dir, and restores host sysctls.
  async down(id: RunIdentity, stateDir: string): Promise<void> {
    assertRunId(id.runId);
    await removeQemuRun(id.runId);
    await releaseLocalRun(id.runId, stateDir);
  }

  async dumpLogs(id: RunIdentity, stateDir: string, outDir: string): Promise<string[]> {
    await mkdir(outDir, { recursive: true });
    const files: string[] = [];
    for (const name of await readdir(stateDir).catch(() => [] as string[])) {
      if (!name.endsWith('.console.log') && !name.endsWith('.qemu.log')) continue;
      await copyFile(path.join(stateDir, name), path.join(outDir, name));
      files.push(path.join(outDir, name));
    }
    const machines = await import('node:fs/promises')
      .then((fs) => fs.readFile(path.join(stateDir, 'machines.json'), 'utf8'))
      .then((t) => JSON.parse(t) as Machine[])
      .catch(() => [] as Machine[]);
    for (const m of machines) {
      const journal = await sshRun(sshTargetOf(m), 'journalctl --no-pager -b -o short-precise', {
        timeoutMs: 60_000,
      });
      const file = path.join(outDir, `${id.runId}-${m.name}.journal.log`);
      await writeFile(file, journal.stdout || journal.stderr);
      files.push(file);
    }
    return files;
  }

  reap(options: ReapOptions): Promise<ReapReport> {
    return reapQemu(options);
  }
}
