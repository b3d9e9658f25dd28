import { constants } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stateDir } from '../../host/paths.ts';
import { runTool } from '../../host/run-tool.ts';
import { QEMU_BINARY } from './vm-process.ts';

export interface AccelChoice {
  accel: 'kvm' | 'tcg';
  // QEMU arguments selecting the accelerator and CPU model.
  args: string[];
  reason: string;
}

// tb-size (MiB) bounds TCG's translation cache, which counts in the VM's resident memory: 128 MiB
// instead of 256 MiB took about 100 MB off each VM here at no measurable cost in boot or SSH time.
const TCG: string[] = ['-accel', 'tcg,thread=multi,tb-size=128', '-cpu', 'max'];
const KVM: string[] = ['-accel', 'kvm', '-cpu', 'host'];

// Decides between KVM and TCG by a short test boot of the node kernel under KVM: on some hosts
// /dev/kvm exists but only runs guest kernels built for it (a paravirtual KVM), and the stock
// kernel hangs. Cached per host boot and kernel. KVMATRIX_QEMU_ACCEL=tcg|kvm overrides.
export async function chooseAccel(kernel: string, initrd: string): Promise<AccelChoice> {
  const forced = process.env.KVMATRIX_QEMU_ACCEL;
  if (forced === 'tcg') return { accel: 'tcg', args: TCG, reason: 'KVMATRIX_QEMU_ACCEL=tcg' };
  if (forced === 'kvm') return { accel: 'kvm', args: KVM, reason: 'KVMATRIX_QEMU_ACCEL=kvm' };
  try {
    await access('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return {
      accel: 'tcg',
      args: TCG,
      reason: '/dev/kvm is missing or not usable: software emulation (TCG), slower',
    };
  }
  const bootId = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
  const cacheFile = stateDir('host', 'accel-probe.json');
  const key = `${bootId} ${kernel}`;
  const cached = await readFile(cacheFile, 'utf8')
    .then((t) => JSON.parse(t) as { key: string; choice: AccelChoice })
    .catch(() => undefined);
  // Only the decision is cached: the arguments are always today's (they change between versions).
  if (cached?.key === key) {
    const accel = cached.choice.accel;
    return { accel, args: accel === 'kvm' ? KVM : TCG, reason: cached.choice.reason };
  }
  const choice = await probeKvm(kernel, initrd);
  await mkdir(path.dirname(cacheFile), { recursive: true });
  await writeFile(cacheFile, JSON.stringify({ key, choice }));
  return choice;
}

async function probeKvm(kernel: string, initrd: string): Promise<AccelChoice> {
  const result = await runTool(
    QEMU_BINARY,
    [
      ...KVM,
      '-m',
      '256',
      '-nodefaults',
      '-no-user-config',
      '-display',
      'none',
      '-serial',
      'stdio',
      '-no-reboot',
      '-kernel',
      kernel,
      '-initrd',
      initrd,
      '-append',
      'console=ttyS0 panic=-1 rdinit=/bin/true',
    ],
    { timeoutMs: 15_000 },
  );
  const output = result.stdout + result.stderr;
  if (/Run \/bin\/true as init process|Kernel panic/.test(output)) {
    return { accel: 'kvm', args: KVM, reason: 'KVM works (test boot of the node kernel passed)' };
  }
  const why = /Operation not permitted|Permission denied|Could not access KVM/.test(output)
    ? 'KVM is not accessible'
    : 'the node kernel does not boot under this KVM (a paravirtual /dev/kvm?)';
  return { accel: 'tcg', args: TCG, reason: `${why}: software emulation (TCG), slower` };
}
