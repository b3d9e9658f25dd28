import { readdir } from 'node:fs/promises';
import { execa } from 'execa';

// What a podman run of a cell could leave behind, found by the labels every resource carries.
export async function podmanLeftovers(cell: string): Promise<string[]> {
  const found: string[] = [];
  for (const kind of ['container', 'network', 'volume'] as const) {
    const args = kind === 'container' ? ['ps', '-a'] : [kind, 'ls'];
    const r = await execa(
      'podman',
      [...args, '--filter', `label=kvmatrix.cell=${cell}`, '--format', '{{.Name}}'],
      {
        reject: false,
      },
    );
    for (const name of String(r.stdout).split('\n').filter(Boolean)) found.push(`${kind} ${name}`);
  }
  return found;
}

export async function filesIn(dir: string): Promise<string[]> {
  return readdir(dir, { recursive: true }).catch(() => []);
}
