import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfrastructureError } from '../../contracts/errors.ts';
import type { MachineSpec } from '../../contracts/machine.ts';
import type { PhaseTiming } from '../../contracts/result-record.ts';
import { findFreePort } from '../../host/ports.ts';
import { runToolOk } from '../../host/run-tool.ts';
import { waitForSsh } from '../../host/ssh.ts';
import type { GoldenImage } from '../local/golden-image.ts';
import { timePhase } from '../local/phases.ts';
import type { Machine } from '../provider.ts';
import type { AccelChoice } from './accel-probe.ts';
import { identityScript, macFor } from './identity.ts';
import { createTap } from './qemu-network.ts';
import { GuestAgent, type GuestExecResult } from './qga.ts';
import { QmpClient } from './qmp.ts';
import type { VmSnapshot } from './snapshot.ts';
import { vmArgs } from './vm-args.ts';
import { spawnQemu } from './vm-process.ts';

export interface CloneInput {
  runId: string;
  index: number;
  spec: MachineSpec;
  address: string;
  prefix: number;
  hosts: Array<{ name: string; address: string }>;
  image: GoldenImage;
  accel: AccelChoice;
  snapshot: VmSnapshot;
  stateDir: string;
  runKeyFile: string;
  runPublicKey: string;
  signal?: AbortSignal;
  // Where the clone's own phases go (resume, identity, login), for the record and the bench.
  phases?: PhaseTiming[];
}

// Starts one VM from the template snapshot and gives it its own identity over SSH (template key),
// then checks a login with the run's key. The overlay, sockets and logs live in the run's state dir.
export async function startClone(input: CloneInput): Promise<Machine> {
  const { spec, stateDir } = input;
  const base = path.join(stateDir, spec.name);
  const disk = `${base}.qcow2`;
  await runToolOk(
    'qemu-img',
    ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', input.snapshot.disk, disk],
    {
      what: `creating the overlay of ${spec.name}`,
    },
  );
  const tap = await createTap(input.runId, input.index);
  const sshPort = await findFreePort();
  const qmpSocket = `${base}.qmp`;
  const agentSocket = `${base}.qga`;
  const args = vmArgs({
    name: spec.name,
    accel: input.accel,
    cpus: spec.cpus,
    memoryMiB: spec.memoryMiB,
    kernel: input.image.kernel,
    initrd: input.image.initrd,
    disk,
    qmpSocket,
    agentSocket,
    consoleLog: `${base}.console.log`,
    pidFile: `${base}.pid`,
    sshPort,
    tap,
    identityFile: input.snapshot.identityFile,
    incoming: `exec:cat ${input.snapshot.state}`,
  });
  const phases = input.phases ?? [];
  const phase = <T>(name: string, fn: () => Promise<T>) => timePhase(phases, name, fn, spec.name);
  spawnQemu(args, `${base}.qemu.log`, input.runId, spec.name);
  await phase('resume', () => resumeFromSnapshot(qmpSocket, spec, input.signal));
  const script = identityScript({
    hostname: spec.name,
    authorizedKey: input.runPublicKey,
    mac: macFor(input.address),
    address: input.address,
    prefix: input.prefix,
    hosts: input.hosts,
    clock: Math.round(Date.now() / 1000),
  });
  await writeFile(`${base}.identity.sh`, script);
  const grow = spec.diskGiB * 1024 > 4096 ? 'resize2fs /dev/vda >/dev/null 2>&1 || true\n' : '';
  // Through the guest agent: no SSH handshake (seconds of the guest's CPU under emulation) and
  // no template key; the one login below is with the run's key.
  const applied = await phase('identity', () => runIdentity(agentSocket, script + grow));
  if (applied.exitCode !== 0) {
    throw new InfrastructureError(
      `${spec.name}: could not set the identity of the clone: ${applied.stderr.trim()}`,
    );
  }
  const target = { host: '127.0.0.1', port: sshPort, user: 'root', keyFile: input.runKeyFile };
  await phase('login', () =>
    waitForSsh(target, { timeoutMs: 300_000, signal: input.signal, what: `VM ${spec.name}` }),
  );
  return {
    name: spec.name,
    address: input.address,
    sshHost: '127.0.0.1',
    sshPort,
    sshUser: 'root',
    sshKeyFile: input.runKeyFile,
    facts: {
      kvmatrix_node_is_container: false,
      kvmatrix_provider: 'qemu',
      kvmatrix_node_os: spec.os,
      kvmatrix_qemu_accel: input.accel.accel,
    },
  };
}

// Resumes the VM QEMU started with -incoming from the template's saved state (cont once the
// migration stream is read), and grows its disk when the machine asks for more than the template.
async function resumeFromSnapshot(qmpSocket: string, spec: MachineSpec, signal?: AbortSignal): Promise<void> {
  const qmp = new QmpClient(qmpSocket);
  try {
    await qmp.connect(30_000);
    const deadline = Date.now() + 120_000;
    for (;;) {
      signal?.throwIfAborted();
      const status = ((await qmp.execute('query-status')) as { status: string }).status;
      if (status === 'running') break;
      if (status === 'paused' || status === 'postmigrate') await qmp.execute('cont');
      if (status === 'internal-error' || status === 'guest-panicked' || Date.now() > deadline) {
        throw new InfrastructureError(`${spec.name}: VM did not resume from the snapshot (status ${status})`);
      }
      await sleep(50);
    }
    if (spec.diskGiB * 1024 > 4096) {
      await qmp.execute('block_resize', { device: 'disk0', size: spec.diskGiB * 2 ** 30 });
    }
  } finally {
    qmp.close();
  }
}

// Runs the identity script in the clone through its guest agent.
async function runIdentity(agentSocket: string, script: string): Promise<GuestExecResult> {
  const agent = new GuestAgent(agentSocket);
  try {
    await agent.connect(60_000);
    return await agent.exec('/bin/sh', ['-s'], script, 180_000);
  } finally {
    agent.close();
  }
}
