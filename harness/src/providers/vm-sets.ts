import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../contracts/errors.ts';
import type { RunIdentity } from '../contracts/machine.ts';
import { stateDir } from '../host/paths.ts';
import type { Machine } from './provider.ts';

// A named set of machines made by `kvmatrix vms up`, kept until `kvmatrix vms down`.
export interface VmSet {
  name: string;
  provider: string;
  id: RunIdentity;
  createdAt: string;
  stateDir: string;
  machines: Machine[];
  artifactHost?: string;
}

export function vmSetDir(name: string): string {
  return stateDir('vms', name);
}

export function assertVmSetName(name: string): void {
  if (!/^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$/.test(name)) {
    throw new UsageError(
      `--name "${name}" is not valid: expected 1-16 of [a-z0-9-] (it prefixes host names)`,
    );
  }
}

export async function writeVmSet(set: VmSet): Promise<void> {
  await mkdir(vmSetDir(set.name), { recursive: true });
  await writeFile(path.join(vmSetDir(set.name), 'set.json'), `${JSON.stringify(set, null, 2)}\n`);
}

export async function readVmSet(name: string): Promise<VmSet | undefined> {
  const text = await readFile(path.join(vmSetDir(name), 'set.json'), 'utf8').catch(() => undefined);
  return text ? (JSON.parse(text) as VmSet) : undefined;
}

export async function listVmSets(): Promise<VmSet[]> {
  const out: VmSet[] = [];
  for (const name of await readdir(stateDir('vms')).catch(() => [] as string[])) {
    const set = await readVmSet(name);
    if (set) out.push(set);
  }
  return out;
}

export async function removeVmSet(name: string): Promise<void> {
  await rm(vmSetDir(name), { recursive: true, force: true });
}
