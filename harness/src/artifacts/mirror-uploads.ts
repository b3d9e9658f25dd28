import { createHash, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { isKvError } from '../contracts/errors.ts';
import { cacheDir } from '../host/paths.ts';
import { createLineProgress } from '../host/progress.ts';
import { artifactDir } from './build-artifacts.ts';
import { type ArtifactManifest, hashFile, writeManifest } from './manifest.ts';
import { pushImages } from './push-images.ts';
import { checkManifestPins, expectedDigest } from './remote-mirror.ts';

// How the pipeline's artifacts job publishes a set to the shared mirror (`kvmatrix artifacts
// serve --accept-uploads`): with the upload token, PUT the version's manifest.json, then every
// file it lists (each checked on arrival against the manifest's sha256 and size), then POST
// .../commit, which moves the set into place, pushes its images into the mirror's registry
// storage and only then marks it served. Until the commit, nothing of it is visible; a broken
// upload leaves only the staging folder, which the next upload of that version replaces.
//   PUT  /uploads/kubernetes/v<X.Y.Z>/manifest.json
//   PUT  /uploads/kubernetes/v<X.Y.Z>/<path in the manifest>
//   POST /uploads/kubernetes/v<X.Y.Z>/commit

export const UPLOAD_PREFIX = '/uploads/kubernetes/';

function stagingDir(version: string): string {
  return cacheDir('artifacts', 'incoming', `v${version}`);
}

function authorized(request: http.IncomingMessage, token: string): boolean {
  const given = Buffer.from(String(request.headers.authorization ?? '').replace(/^Bearer /, ''));
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

function answer(response: http.ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'text/plain' }).end(`${message}\n`);
}

// Handles one request under UPLOAD_PREFIX; `onCommitted` learns the versions that became servable.
export async function handleUpload(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  token: string,
  onCommitted: (version: string) => void,
): Promise<void> {
  if (!authorized(request, token)) return answer(response, 401, 'upload token missing or wrong');
  const urlPath = path.posix.normalize(
    decodeURIComponent(new URL(request.url ?? '/', 'http://mirror').pathname),
  );
  const match = /^\/uploads\/kubernetes\/v([0-9]+\.[0-9]+\.[0-9]+)\/(.+)$/.exec(urlPath);
  if (!match || urlPath.includes('/.')) return answer(response, 404, 'not an upload path');
  const [, version = '', relPath = ''] = match;
  const staging = stagingDir(version);
  try {
    if (request.method === 'PUT' && relPath === 'manifest.json') {
      const body = await readBody(request, 16 * 2 ** 20);
      const manifest = JSON.parse(body.toString('utf8')) as ArtifactManifest;
      checkManifestPins(manifest, version, `the uploaded manifest of ${version}`);
      await rm(staging, { recursive: true, force: true });
      await mkdir(staging, { recursive: true });
      await writeManifest(staging, manifest);
      return answer(response, 200, `staged the manifest of ${version}`);
    }
    if (request.method === 'PUT') {
      const manifest = await readStagedManifest(staging);
      const expected = manifest && expectedDigest(manifest, relPath);
      if (!expected) return answer(response, 409, `${relPath} is not in the staged manifest of ${version}`);
      const target = path.join(staging, relPath);
      await mkdir(path.dirname(target), { recursive: true });
      const hash = createHash('sha256');
      let size = 0;
      request.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.length;
      });
      await pipeline(
        request,
        createWriteStream(`${target}.part`, { mode: relPath.startsWith('bin/') ? 0o755 : 0o644 }),
      );
      const sha256 = hash.digest('hex');
      if (sha256 !== expected.sha256 || (expected.size !== undefined && size !== expected.size)) {
        await rm(`${target}.part`, { force: true });
        return answer(
          response,
          422,
          `${relPath}: sha256 ${sha256} (${size} bytes), the manifest says ${expected.sha256}`,
        );
      }
      await rename(`${target}.part`, target);
      return answer(response, 200, `${relPath}: ${size} bytes, sha256 checked`);
    }
    if (request.method === 'POST' && relPath === 'commit') {
      const manifest = await readStagedManifest(staging);
      if (!manifest) return answer(response, 409, `no staged manifest of ${version}`);
      const missing: string[] = [];
      const wanted = [
        ...Object.keys(manifest.files),
        ...Object.values(manifest.images).map((i) => i.archive),
      ];
      for (const rel of wanted) {
        const present = await stat(path.join(staging, rel)).catch(() => undefined);
        if (!present?.isFile()) missing.push(rel);
      }
      if (missing.length) return answer(response, 409, `not uploaded yet: ${missing.join(', ')}`);
      await commitStaged(version, manifest);
      onCommitted(version);
      return answer(response, 200, `published Kubernetes ${version}: ${wanted.length} files`);
    }
    return answer(response, 405, 'PUT a file or POST commit');
  } catch (error) {
    return answer(
      response,
      isKvError(error) && error.exitCode === 2 ? 422 : 500,
      String((error as Error).message ?? error),
    );
  }
}

async function readStagedManifest(staging: string): Promise<ArtifactManifest | undefined> {
  return readFile(path.join(staging, 'manifest.json'), 'utf8').then(
    (text) => JSON.parse(text) as ArtifactManifest,
    () => undefined,
  );
}

function readBody(request: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) request.destroy(new Error(`body larger than ${limit} bytes`));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

// The staged files replace the version's set; its images go into the registry storage (marked
// pushed in the manifest, which is written last: until then the version is not complete).
async function commitStaged(version: string, manifest: ArtifactManifest): Promise<void> {
  const staging = stagingDir(version);
  const dir = artifactDir(version);
  const old = `${dir}.old-${Date.now()}`;
  await rename(dir, old).catch(() => {});
  await rm(path.join(staging, 'manifest.json'));
  await mkdir(path.dirname(dir), { recursive: true });
  await rename(staging, dir);
  await rm(old, { recursive: true, force: true });
  for (const image of Object.values(manifest.images)) {
    // The mirror's storage may not hold it yet: push again whatever the uploader had pushed.
    delete image.pushed;
    if ((await hashFile(path.join(dir, image.archive))) !== image.sha256) {
      throw new Error(`${image.archive} changed after its upload`);
    }
  }
  const progress = createLineProgress(`mirror v${version}`);
  const set = { dir, binDir: path.join(dir, 'bin'), manifest };
  await pushImages(set, progress);
  await writeManifest(dir, manifest);
}
