import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stateDir } from '../host/paths.ts';

// What `kvmatrix lab up` leaves for `lab status`, `lab down` and the kubevirt provider: the kept
// cell whose podman nodes carry the management cluster, its kubeconfig, the mirror process that
// keeps serving the images the nodes pull, and the host routes to the pod network.
export interface LabState {
  cell: string;
  kubeconfig: string;
  // kubectl of the cell's Kubernetes version (from its artifact set).
  kubectl: string;
  registry: string;
  // The detached `kvmatrix artifacts serve` of the lab (the cell's own mirror stops with its run).
  mirrorPid?: number;
  // `ip route` destinations added on the host (pod subnets via their node), removed by down.
  routes: string[];
  createdAt: string;
  // Seconds per phase of the last `lab up`.
  phases: Record<string, number>;
}

export function labStateDir(...parts: string[]): string {
  return stateDir('lab', ...parts);
}

export async function readLabState(): Promise<LabState | undefined> {
  try {
    return JSON.parse(await readFile(labStateDir('lab.json'), 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

export async function writeLabState(state: LabState): Promise<void> {
  await mkdir(labStateDir(), { recursive: true });
  // A name stateDir accepts (no leading dot), beside the file it replaces.
  const tmp = labStateDir(`lab.json.${process.pid}.tmp`);
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(tmp, labStateDir('lab.json'));
}

export async function removeLabState(): Promise<void> {
  await rm(path.join(labStateDir(), 'lab.json'), { force: true });
}
