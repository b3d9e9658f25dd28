import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { InfrastructureError, KvError, ToolMissingError } from '../contracts/errors.ts';
import { ensureCacheEntry } from '../host/cache-entry.ts';
import { cacheDir } from '../host/paths.ts';
import { claimPort } from '../host/ports.ts';
import type { ProgressReporter } from '../host/progress.ts';
import type { ArtifactSet } from './build-artifacts.ts';
import { writeManifest } from './manifest.ts';
import { startRegistry } from './registry.ts';

// Pre-populates the mirror's registry storage at build time: a private docker-registry on a free
// loopback port over cacheDir('artifacts','registry'), `skopeo copy oci-archive: -> docker://`
// for every image not yet pushed in its current form, then the registry stops. Serving later only
// reads that storage.

export function registryStorage(): string {
  return cacheDir('artifacts', 'registry');
}

// A private writable registry over the mirror's storage on a free loopback port, for the length
// of `push` (given its host:port); it stops afterwards, whatever `push` did.
async function withWritableRegistry(what: string, push: (address: string) => Promise<void>): Promise<void> {
  const port = await claimPort(undefined, what);
  const registry = await startRegistry({
    storage: registryStorage(),
    host: '127.0.0.1',
    port,
    readonly: false,
  });
  try {
    await push(registry.address);
  } finally {
    await registry.close();
  }
}

export async function pushImages(set: ArtifactSet, progress: ProgressReporter): Promise<void> {
  const pending = Object.entries(set.manifest.images).filter(([, image]) => image.pushed !== image.sha256);
  if (!pending.length) return;
  await withWritableRegistry('the build-time registry', async (address) => {
    for (const [name, image] of pending) {
      const [repository, tag] = image.reference.split(':');
      const result = await execa(
        'skopeo',
        [
          'copy',
          '--quiet',
          '--dest-tls-verify=false',
          `oci-archive:${path.join(set.dir, image.archive)}:${tag}`,
          `docker://${address}/${repository}:${tag}`,
        ],
        { reject: false, all: true },
      );
      if ((result as { code?: string }).code === 'ENOENT')
        throw new ToolMissingError('skopeo', 'apt-get install skopeo');
      if (result.exitCode !== 0) {
        throw new KvError(
          'TOOL_FAILED',
          `skopeo copy of ${image.reference} failed: ${String(result.all).trim()}`,
        );
      }
      image.pushed = image.sha256;
      await writeManifest(set.dir, set.manifest);
      progress(`${name} image: in the mirror's registry storage as ${image.reference}`);
    }
  });
}

// Copies one locally built image (a skopeo source: `oci:<layout>:<tag>`, `oci-archive:<file>`)
// into the mirror's registry storage as `ref`, through a private writable registry on loopback,
// once: `marker`, a file in the storage, remembers that it is there. The mirror that serves runs
// is read-only. Returns `ref`.
export async function publishToMirror(source: string, ref: string, marker: string): Promise<string> {
  await ensureCacheEntry(path.join(registryStorage(), marker), async (partial) => {
    await withWritableRegistry(`the push of ${ref}`, async (address) => {
      const result = await execa(
        'skopeo',
        ['copy', '--quiet', '--dest-tls-verify=false', source, `docker://${address}/${ref}`],
        { reject: false, all: true },
      );
      if ((result as { code?: string }).code === 'ENOENT')
        throw new ToolMissingError('skopeo', 'apt-get install skopeo');
      if (result.exitCode !== 0) {
        throw new InfrastructureError(
          `publishing ${ref} to the mirror failed: ${String(result.all).trim().slice(-600)}`,
          {
            hint: 'check free disk space under ~/.cache/kvmatrix/artifacts/registry',
          },
        );
      }
    });
    await writeFile(partial, `${new Date().toISOString()}\n`);
  });
  return ref;
}
