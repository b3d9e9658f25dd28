import { readdir } from 'node:fs/promises';
import { execa } from 'execa';
import { LABEL_CELL, LABEL_OWNER } from '../../host/labels.ts';

// What a podman run of a cell could leave behind, found by the labels every resource carries.
// `owner` (the pid of the kvmatrix process that ran it) narrows to that run, so another run of
// the same cell on a shared machine is not mistaken for a leftover. One label filter only:
// `podman volume ls` ORs several label filters.
export async function podmanLeftovers(cell: string, owner?: number): Promise<string[]> {
  const found: string[] = [];
  const filter = owner ? `label=${LABEL_OWNER}=${owner}` : `label=${LABEL_CELL}=${cell}`;
  for (const kind of ['container', 'network', 'volume'] as const) {
    const args = kind === 'container' ? ['ps', '-a'] : [kind, 'ls'];
    const r = await execa('podman', [...args, '--filter', filter, '--format', '{{.Name}}'], {
      reject: false,
    });
    for (const name of String(r.stdout).split('\n').filter(Boolean)) found.push(`${kind} ${name}`);
  }
  return found;
}

export async function filesIn(dir: string): Promise<string[]> {
  return readdir(dir, { recursive: true }).catch(() => []);
}
