import { statfs } from 'node:fs/promises';
import type { MachineSpec } from '../../contracts/machine.ts';
import { runTool } from '../../host/run-tool.ts';
import type { PreflightCheck } from '../provider.ts';
import { DEFAULT_OS, describeGoldenImage, isGoldenImageBuilt } from './golden-image.ts';

// Checks shared by the local providers; each returns a PreflightCheck with a hint, never throws.

export async function checkTool(name: string, args: string[], hint: string): Promise<PreflightCheck> {
  try {
    const result = await runTool(name, args, { timeoutMs: 15_000 });
    const detail = (result.stdout || result.stderr).split('\n')[0] ?? '';
    return result.exitCode === 0
      ? { name, ok: true, detail }
      : { name, ok: false, detail: `${name} ${args.join(' ')} exited ${result.exitCode}: ${detail}`, hint };
  } catch {
    return { name, ok: false, detail: `${name} is not installed or not on PATH`, hint };
  }
}

export function checkRoot(): PreflightCheck {
  const uid = process.getuid?.() ?? -1;
  return uid === 0
    ? { name: 'root', ok: true, detail: 'running as root' }
    : {
        name: 'root',
        ok: false,
        detail: `running as uid ${uid}`,
        hint: 'local providers create bridges, taps and privileged containers: run as root (sudo)',
      };
}

export async function checkFreeSpace(name: string, dir: string, neededGiB: number): Promise<PreflightCheck> {
  try {
    const s = await statfs(dir);
    const free = (s.bavail * s.bsize) / 2 ** 30;
    const detail = `${free.toFixed(1)} GiB free in ${dir}`;
    return free >= neededGiB
      ? { name, ok: true, detail }
      : { name, ok: false, detail: `${detail}, need ${neededGiB} GiB`, hint: `free space in ${dir}` };
  } catch (error) {
    return {
      name,
      ok: false,
      detail: `cannot stat ${dir}: ${(error as Error).message}`,
      hint: `create ${dir}`,
    };
  }
}

// A bridge is what both providers' private networks are made of; try to make (and remove) one.
export async function checkBridge(): Promise<PreflightCheck> {
  const name = `kvmpf${process.pid % 100000}`;
  const add = await runTool('ip', ['link', 'add', name, 'type', 'bridge']).catch(() => undefined);
  if (add?.exitCode !== 0) {
    return {
      name: 'bridge',
      ok: false,
      detail: `cannot create a Linux bridge: ${add?.stderr.trim() ?? 'ip (iproute2) missing'}`,
      hint: 'needs root (CAP_NET_ADMIN) and iproute2',
    };
  }
  await runTool('ip', ['link', 'del', name]);
  return { name: 'bridge', ok: true, detail: 'a Linux bridge can be created' };
}

export async function checkGoldenImage(os: string, builderHint: string): Promise<PreflightCheck> {
  try {
    const image = await describeGoldenImage(os);
    if (await isGoldenImageBuilt(image)) {
      return { name: `image ${image.os}`, ok: true, detail: `cached in ${image.dir}` };
    }
    const deb = await checkTool('debootstrap', ['--version'], builderHint);
    return deb.ok
      ? { name: `image ${image.os}`, ok: true, detail: 'not built yet: up builds it first (2-3 minutes)' }
      : { ...deb, name: `image ${image.os}` };
  } catch (error) {
    return {
      name: `image ${os}`,
      ok: false,
      detail: (error as Error).message,
      hint: 'use debian12 or debian13',
    };
  }
}

// One check per OS the machines use (the default OS when there are none yet).
export async function checkGoldenImages(machines: MachineSpec[]): Promise<PreflightCheck[]> {
  const checks: PreflightCheck[] = [];
  for (const os of new Set(machines.map((m) => m.os).concat(machines.length ? [] : [DEFAULT_OS]))) {
    checks.push(
      await checkGoldenImage(os, 'apt-get install debootstrap, or run `npm run setup` to build images'),
    );
  }
  return checks;
}
