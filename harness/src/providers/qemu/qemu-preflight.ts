import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { freemem } from 'node:os';
import type { MachineSpec } from '../../contracts/machine.ts';
import { nearestExistingDir } from '../../host/cache-entry.ts';
import { cacheDir, stateDir } from '../../host/paths.ts';
import {
  checkBridge,
  checkFreeSpace,
  checkGoldenImages,
  checkRoot,
  checkTool,
} from '../local/preflight-checks.ts';
import type { PreflightCheck } from '../provider.ts';
import { QEMU_BINARY } from './vm-process.ts';

// Everything `up` needs from this host, each with a hint. /dev/kvm is reported but never
// required: without it (or with a KVM the node kernel cannot use) VMs run under TCG.
export async function preflightQemu(machines: MachineSpec[]): Promise<PreflightCheck[]> {
  const checks: PreflightCheck[] = [checkRoot()];
  checks.push(await checkTool(QEMU_BINARY, ['--version'], 'apt-get install qemu-system-x86'));
  checks.push(await checkTool('qemu-img', ['--version'], 'apt-get install qemu-utils'));
  const kvm = await access('/dev/kvm', constants.R_OK | constants.W_OK).then(
    () => true,
    () => false,
  );
  checks.push({
    name: '/dev/kvm',
    ok: true,
    detail: kvm
      ? 'present: a test boot decides between KVM and TCG at the first up'
      : 'not usable: VMs run under software emulation (TCG), several times slower',
  });
  const needMiB = machines.reduce((sum, m) => sum + m.memoryMiB * 0.6, 0);
  const freeMiB = freemem() / 2 ** 20;
  checks.push(
    needMiB <= freeMiB
      ? {
          name: 'memory',
          ok: true,
          detail: `${Math.round(freeMiB)} MiB free, about ${Math.round(needMiB)} needed`,
        }
      : {
          name: 'memory',
          ok: false,
          detail: `${Math.round(freeMiB)} MiB free, about ${Math.round(needMiB)} needed`,
          hint: 'fewer or smaller machines, or the podman provider',
        },
  );
  checks.push(
    await checkFreeSpace('image cache', await nearestExistingDir(cacheDir()), 1 + machines.length * 0.5),
  );
  checks.push(await checkFreeSpace('state dir', await nearestExistingDir(stateDir()), 0.5));
  checks.push(await checkBridge());
  checks.push(...(await checkGoldenImages(machines)));
  return checks;
}
