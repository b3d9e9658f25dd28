import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { InfrastructureError, KvError, UsageError } from '../contracts/errors.ts';
import type { ProgressReporter } from '../host/progress.ts';
import { type ArtifactSet, buildArtifacts, expectedRecipeHashes, resolveRelease } from './build-artifacts.ts';
import type { ArtifactManifest } from './manifest.ts';
import { checkManifestPins, fetchFromMirror } from './remote-mirror.ts';

// The pipeline's artifacts job: each pinned version is built once and published to the shared
// mirror, and skipped when the mirror already holds it as this checkout would build it (the same
// pins and the same recipe hash for every component, every image in its registry).

export interface PublishOptions {
  versions: string[];
  // The mirror's file server, e.g. http://kvmatrix-mirror.kvmatrix.svc:8080.
  url: string;
  // The mirror's upload token; only needed when something must be published.
  token?: string;
  force?: boolean;
  progress: ProgressReporter;
  // Makes the set (default: buildArtifacts, cached per version); tests pass a small set.
  build?: (version: string, progress: ProgressReporter) => Promise<ArtifactSet>;
}

export interface PublishOutcome {
  version: string;
  action: 'skipped' | 'published';
  reason: string;
  bytes: number;
}

// Why the mirror's set of a version is not current, or undefined when it is.
export function staleReason(manifest: ArtifactManifest | undefined, version: string): string | undefined {
  if (!manifest) return 'not on the mirror';
  try {
    checkManifestPins(manifest, version, 'the published manifest');
  } catch (error) {
    return (error as Error).message;
  }
  const release = resolveRelease(version);
  for (const [name, hash] of Object.entries(expectedRecipeHashes(release))) {
    const published = manifest.components[name]?.recipeHash;
    if (published !== hash)
      return `component ${name}: recipe ${published ?? 'missing'}, this checkout builds ${hash}`;
  }
  const images = Object.values(manifest.images);
  if (!images.length || images.some((image) => image.pushed !== image.sha256))
    return 'its images are not all pushed';
  return undefined;
}

export async function publishArtifacts(options: PublishOptions): Promise<PublishOutcome[]> {
  const base = options.url.replace(/\/+$/, '');
  const outcomes: PublishOutcome[] = [];
  for (const requested of options.versions) {
    const release = resolveRelease(requested);
    const version = release.kubernetes;
    const response = await fetchFromMirror(
      `${base}/kubernetes/v${version}/manifest.json`,
      `the manifest of ${version}`,
    );
    if (!response.ok && response.status !== 404) {
      throw new InfrastructureError(`the mirror answered ${response.status} for the manifest of ${version}`);
    }
    const published = response.ok ? ((await response.json()) as ArtifactManifest) : undefined;
    const reason = options.force ? 'forced' : staleReason(published, version);
    if (!reason) {
      options.progress(`v${version}: already published at ${base} (pins and recipes match); skipped`);
      outcomes.push({ version, action: 'skipped', reason: 'current', bytes: 0 });
      continue;
    }
    if (!options.token) {
      throw new UsageError(
        `Kubernetes ${version} must be published to ${base} (${reason}), but no upload token is set`,
        {
          hint: 'set the masked CI/CD variable KVMATRIX_MIRROR_TOKEN (the token in the mirror Secret, .ci/mirror)',
        },
      );
    }
    options.progress(`v${version}: ${reason}: building (cached per version) and publishing`);
    const build = options.build ?? ((kubernetes, progress) => buildArtifacts({ kubernetes, progress }));
    const set = await build(version, options.progress);
    const bytes = await uploadSet(base, options.token, set.dir, set.manifest, options.progress);
    outcomes.push({ version, action: 'published', reason, bytes });
  }
  return outcomes;
}

async function uploadSet(
  base: string,
  token: string,
  dir: string,
  manifest: ArtifactManifest,
  progress: ProgressReporter,
): Promise<number> {
  const prefix = `${base}/uploads/kubernetes/v${manifest.kubernetes}`;
  const headers = { authorization: `Bearer ${token}` };
  const send = async (rel: string, init: RequestInit) => {
    const response = await fetchFromMirror(`${prefix}/${rel}`, `the upload of ${rel}`, {
      ...init,
      headers: { ...headers, ...(init.headers as Record<string, string> | undefined) },
      signal: AbortSignal.timeout(30 * 60_000),
    });
    const text = (await response.text()).trim();
    if (!response.ok) {
      const code = response.status === 401 || response.status === 422 ? 'USAGE' : 'INFRASTRUCTURE';
      throw new KvError(code, `the mirror refused ${rel} (${response.status}): ${text}`, {
        hint:
          response.status === 401
            ? 'KVMATRIX_MIRROR_TOKEN must equal the token of the mirror Secret'
            : 'see the mirror log',
      });
    }
    return text;
  };
  const unpushed = structuredClone(manifest);
  for (const image of Object.values(unpushed.images)) delete image.pushed;
  await send('manifest.json', { method: 'PUT', body: JSON.stringify(unpushed) });
  let bytes = 0;
  const files = [...Object.keys(manifest.files), ...Object.values(manifest.images).map((i) => i.archive)];
  for (const rel of files) {
    const file = path.join(dir, rel);
    const size = (await stat(file)).size;
    await send(rel, {
      method: 'PUT',
      body: Readable.toWeb(createReadStream(file)) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    bytes += size;
  }
  progress(
    `v${manifest.kubernetes}: uploaded ${files.length} files (${(bytes / 2 ** 20).toFixed(0)} MiB); committing`,
  );
  progress(`v${manifest.kubernetes}: ${await send('commit', { method: 'POST' })}`);
  return bytes;
}
