import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfrastructureError } from '../../contracts/errors.ts';
import type { MachineSize } from '../../contracts/machine.ts';
import { ensureCacheEntry } from '../../host/cache-entry.ts';
import { findFreePort } from '../../host/ports.ts';
import { runToolOk } from '../../host/run-tool.ts';
import { ensureRunKey, sshRun, waitForSsh } from '../../host/ssh.ts';
import type { GoldenImage } from '../local/golden-image.ts';
import type { AccelChoice } from './accel-probe.ts';
import { identityScript } from './identity.ts';
import { GuestAgent } from './qga.ts';
import { QmpClient } from './qmp.ts';
import { vmArgs, vmLayoutHash } from './vm-args.ts';
import { spawnQemu, stopProcesses } from './vm-process.ts';

// A booted node VM saved with QEMU's migration to a file: clones start from it in seconds instead
// of a cold boot (35 s and more under TCG). Keyed by image, accelerator, vCPUs and memory.
export interface VmSnapshot {
  dir: string;
  state: string;
  disk: string;
  identityFile: string;
  keyFile: string;
}

// The machine size whose template snapshot `npm run setup` builds (30-images.sh, 2x1024): the
// qemu tests and the bench use it, so their VMs resume from that snapshot instead of booting one.
export const SETUP_SNAPSHOT_MACHINE: MachineSize = { cpus: 2, memoryMiB: 1024, diskGiB: 4 };

export function snapshotDir(image: GoldenImage, accel: AccelChoice, cpus: number, memoryMiB: number): string {
  return path.join(
    image.dir,
    `snapshot-${accel.accel}-${cpus}c-${memoryMiB}m-${vmLayoutHash(accel, cpus, memoryMiB)}`,
  );
}

export async function ensureSnapshot(
  image: GoldenImage,
  accel: AccelChoice,
  cpus: number,
  memoryMiB: number,
  log: (line: string) => void,
): Promise<VmSnapshot> {
  const dir = snapshotDir(image, accel, cpus, memoryMiB);
  const snap: VmSnapshot = {
    dir,
    state: path.join(dir, 'state.bin'),
    disk: path.join(dir, 'template.qcow2'),
    identityFile: path.join(dir, 'identity.sh'),
    keyFile: path.join(dir, 'id_ed25519'),
  };
  await ensureCacheEntry(dir, () => buildSnapshot(image, accel, cpus, memoryMiB, snap), {
    marker: 'ready',
    onBuild: () =>
      log(
        `booting a template VM (${accel.accel}, ${cpus} vCPU, ${memoryMiB} MiB) to snapshot it: once per size`,
      ),
  }).then((entry) => {
    if (entry.built) log(`template snapshot saved in ${entry.seconds.toFixed(1)} s`);
  });
  return snap;
}

async function buildSnapshot(
  image: GoldenImage,
  accel: AccelChoice,
  cpus: number,
  memoryMiB: number,
  snap: VmSnapshot,
): Promise<void> {
  await runToolOk('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', image.disk, snap.disk], {
    installHint: 'apt-get install qemu-utils',
  });
  const { publicKey } = await ensureRunKey(snap.dir);
  await writeFile(
    snap.identityFile,
    identityScript({ hostname: 'kvmatrix-template', authorizedKey: publicKey, hosts: [] }),
  );
  const sshPort = await findFreePort();
  const qmpSocket = path.join(snap.dir, 'qmp.sock');
  const agentSocket = path.join(snap.dir, 'qga.sock');
  const pidFile = path.join(snap.dir, 'vm.pid');
  const args = vmArgs({
    name: 'template',
    accel,
    cpus,
    memoryMiB,
    kernel: image.kernel,
    initrd: image.initrd,
    disk: snap.disk,
    qmpSocket,
    agentSocket,
    consoleLog: path.join(snap.dir, 'console.log'),
    pidFile,
    sshPort,
    identityFile: snap.identityFile,
  });
  const pid = spawnQemu(args, path.join(snap.dir, 'qemu.log'), 'template', snap.dir);
  const qmp = new QmpClient(qmpSocket);
  try {
    await qmp.connect();
    const target = { host: '127.0.0.1', port: sshPort, user: 'root', keyFile: snap.keyFile };
    await waitForSsh(target, { timeoutMs: 900_000, what: 'template VM' });
    // Let boot finish (so clones don't inherit half-started units), then flush the disk.
    await sshRun(target, 'systemctl is-system-running --wait >/dev/null 2>&1; sync', { timeoutMs: 300_000 });
    // Drop the page cache and give free page reporting (2 s cycles) time to hand the freed memory
    // back: the saved state then holds only pages in use (smaller file, faster resume, less RSS).
    await sshRun(target, 'echo 3 > /proc/sys/vm/drop_caches; sleep 8', { timeoutMs: 120_000 });
    // Clones get their identity through the guest agent: it must be serving in the saved state.
    const agent = new GuestAgent(agentSocket);
    await agent.connect(120_000);
    agent.close();
    await qmp.execute('stop');
    await qmp.execute('migrate', { uri: `exec:cat > ${snap.state}` });
    const deadline = Date.now() + 120_000;
    for (;;) {
      const status = (await qmp.execute('query-migrate')) as { status?: string; 'error-desc'?: string };
      if (status.status === 'completed') break;
      if (status.status === 'failed' || Date.now() > deadline) {
        throw new InfrastructureError(
          `saving the template VM failed: ${status['error-desc'] ?? status.status}`,
        );
      }
      await sleep(100);
    }
    await qmp.execute('quit').catch(() => {});
  } catch (error) {
    const consoleTail = await readFile(path.join(snap.dir, 'console.log'), 'utf8').catch(() => '');
    throw new InfrastructureError(`could not build the VM snapshot: ${(error as Error).message}`, {
      hint: `console: ${consoleTail.trim().split('\n').slice(-5).join(' | ')}`,
      cause: error,
    });
  } finally {
    qmp.close();
    await stopProcesses([pid]);
    await rm(qmpSocket, { force: true });
    await rm(agentSocket, { force: true });
  }
}
