import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { KubernetesRelease } from './versions.ts';

// manifest.json of one Kubernetes version's artifact set: what was built from which sources, the
// sha256 of every file, and the image references. Consumers (playbooks, the mirror, the testbed)
// read it; the builder rewrites it after every component so an interrupted build keeps progress.

export interface ManifestFile {
  sha256: string;
  size: number;
  // module@version it was built from, or "debian:<package>" / "kvmatrix" for what is not Go.
  source: string;
}

export interface ManifestImage {
  // OCI archive, relative to the version directory.
  archive: string;
  // Repository path and tag under the mirror, e.g. "kubernetes/kube-apiserver:v1.34.4".
  reference: string;
  sha256: string;
  // Hash of the binaries and recipe it was built from; the cache key of the image.
  inputHash: string;
  // sha256 of the archive last pushed into the mirror's registry storage.
  pushed?: string;
}

export interface ManifestComponent {
  recipeHash: string;
  files: string[];
  builtWith: string;
  seconds: number;
}

export interface ArtifactManifest {
  schema: 1;
  kubernetes: string;
  release: KubernetesRelease;
  components: Record<string, ManifestComponent>;
  // Keyed by path relative to the version directory, e.g. "bin/kubelet".
  files: Record<string, ManifestFile>;
  images: Record<string, ManifestImage>;
}

export function emptyManifest(release: KubernetesRelease): ArtifactManifest {
  return { schema: 1, kubernetes: release.kubernetes, release, components: {}, files: {}, images: {} };
}

export async function readManifest(dir: string): Promise<ArtifactManifest | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as ArtifactManifest;
    return parsed.schema === 1 ? parsed : undefined;
  } catch {
    return undefined;
  }
}

// Atomic: readers never see a half-written manifest.
export async function writeManifest(dir: string, manifest: ArtifactManifest): Promise<void> {
  const target = path.join(dir, 'manifest.json');
  await writeFile(`${target}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${target}.tmp`, target);
}

export async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function hashRecipe(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
