import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KvError } from '../contracts/errors.ts';
import { cacheDir, repoRoot } from '../host/paths.ts';
import { runTool, runToolOk } from '../host/run-tool.ts';

// The CI job image (.ci/image): Debian 12 with the project's pins (Node.js of the `node` npm
// package, npm, the Python tools, Go), built by .ci/image/build-ci-image.sh and named by the hash
// of everything that goes into it, so the tag in .gitlab-ci.yml says which inputs it holds.

export const CI_IMAGE_NPM_VERSION = '11.19.1';
export const ciImageDir = path.join(repoRoot, '.ci', 'image');
export const LOCAL_CI_IMAGE = 'localhost/kvmatrix-ci';
export const LOCAL_APP_IMAGE = 'localhost/kvmatrix-app';

const INPUTS = ['.ci/image/build-ci-image.sh', '.ci/image/packages.txt', 'harness/setup/requirements.txt'];

export interface CiImageInputs {
  hash: string;
  nodeVersion: string;
  npmVersion: string;
}

// The tag's hash: the build script, the package list, the Python pins, Node.js and npm versions.
export async function ciImageInputs(root: string = repoRoot): Promise<CiImageInputs> {
  const hash = createHash('sha256');
  for (const file of INPUTS) hash.update(`${file}\n`).update(await readFile(path.join(root, file)));
  const lock = JSON.parse(await readFile(path.join(root, 'package-lock.json'), 'utf8')) as {
    packages?: Record<string, { version?: string }>;
  };
  const nodeVersion = lock.packages?.['node_modules/node']?.version;
  if (!nodeVersion) {
    throw new KvError('USAGE', 'package-lock.json has no packages["node_modules/node"].version', {
      hint: 'the `node` devDependency pins the Node.js of CI: npm install --save-dev node@24',
    });
  }
  hash.update(`node ${nodeVersion}\nnpm ${CI_IMAGE_NPM_VERSION}\n`);
  return { hash: hash.digest('hex').slice(0, 12), nodeVersion, npmVersion: CI_IMAGE_NPM_VERSION };
}

export function localCiImageTag(inputs: CiImageInputs): string {
  return `${LOCAL_CI_IMAGE}:${inputs.hash}`;
}

export interface BuiltCiImage {
  tag: string;
  archive: string;
  built: boolean;
  seconds: number;
  // Uncompressed size of the image in containers-storage, in bytes.
  sizeBytes: number;
}

// Builds the image once per input hash (about 5-10 minutes; needs root, Debian's mirror, PyPI,
// the npm registry and the Go module proxy). Idempotent: an existing tag is returned as it is.
export async function buildCiImage(
  options: { force?: boolean; log?: (line: string) => void } = {},
): Promise<BuiltCiImage> {
  const log = options.log ?? (() => {});
  const inputs = await ciImageInputs();
  const tag = localCiImageTag(inputs);
  const out = cacheDir('ci-image', inputs.hash);
  const archive = path.join(out, 'ci-image.oci.tar');
  const started = Date.now();
  const exists = (await runTool('podman', ['image', 'exists', tag])).exitCode === 0;
  let built = false;
  if (!exists || options.force) {
    const nodeBin = path.join(repoRoot, 'node_modules', 'node', 'bin', 'node');
    const version = (await runTool(nodeBin, ['--version'])).stdout.trim();
    if (version !== `v${inputs.nodeVersion}`) {
      throw new KvError(
        'USAGE',
        `${nodeBin} is ${version || 'missing'}, package-lock.json pins v${inputs.nodeVersion}`,
        {
          hint: 'npm ci',
        },
      );
    }
    await mkdir(path.dirname(out), { recursive: true });
    log(`building ${tag}: debootstrap, Node.js ${version}, npm ${inputs.npmVersion}, Python tools, Go`);
    await runToolOk(
      'flock',
      [
        `${out}.lock`,
        'bash',
        path.join(ciImageDir, 'build-ci-image.sh'),
        tag,
        nodeBin,
        inputs.npmVersion,
        out,
        cacheDir('images', 'debs'),
      ],
      {
        what: 'building the CI job image',
        hint: 'needs root, debootstrap, buildah, skopeo and access to Debian, PyPI, npm and the Go module proxy',
        timeoutMs: 45 * 60_000,
      },
    );
    built = true;
  }
  const size = await runToolOk('podman', ['image', 'inspect', '--format', '{{.Size}}', tag]);
  await stat(archive).catch(async () => {
    await runToolOk('skopeo', [
      'copy',
      '--quiet',
      `containers-storage:${tag}`,
      `oci-archive:${archive}:${tag}`,
    ]);
  });
  return { tag, archive, built, seconds: (Date.now() - started) / 1000, sizeBytes: Number(size) };
}

// Pushes the local image to where the pipelines pull it ($KVMATRIX_CI_IMAGE), with skopeo.
export async function pushCiImage(tag: string, destination: string, extraArgs: string[] = []): Promise<void> {
  await runToolOk(
    'skopeo',
    ['copy', '--quiet', ...extraArgs, `containers-storage:${tag}`, `docker://${destination}`],
    {
      what: `pushing ${tag} to ${destination}`,
      hint: 'log in first: skopeo login <registry> (in CI: -u "$CI_REGISTRY_USER" -p "$CI_REGISTRY_PASSWORD")',
      timeoutMs: 30 * 60_000,
    },
  );
}

// The CI image plus this checkout's kvmatrix (its tracked files at HEAD and the production
// dependencies), with `kvmatrix` as the entrypoint: what the shared mirror's Deployment runs
// (.ci/mirror). Tagged by the CI image's hash and the commit, so a mirror names what it serves with.
export async function buildAppImage(
  options: { log?: (line: string) => void } = {},
): Promise<{ tag: string; base: string; built: boolean }> {
  const log = options.log ?? (() => {});
  const base = localCiImageTag(await ciImageInputs());
  if ((await runTool('podman', ['image', 'exists', base])).exitCode !== 0) {
    throw new KvError('NOT_FOUND', `the CI image ${base} is not built`, {
      hint: 'npx kvmatrix ci-image build',
    });
  }
  const commit = (await runToolOk('git', ['-C', repoRoot, 'rev-parse', '--short=12', 'HEAD'])).trim();
  const tag = `${LOCAL_APP_IMAGE}:${base.split(':').pop()}-${commit}`;
  if ((await runTool('podman', ['image', 'exists', tag])).exitCode === 0) return { tag, base, built: false };
  const work = await mkdtemp(path.join(os.tmpdir(), 'kvmatrix-app-image-'));
  try {
    const app = path.join(work, 'app');
    await mkdir(app);
    log(`packing ${commit} and its production dependencies`);
    await runToolOk('bash', ['-c', `git -C "${repoRoot}" archive HEAD | tar -x -C "${app}"`]);
    await runToolOk(
      'npm',
      ['ci', '--prefix', app, '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'],
      {
        timeoutMs: 10 * 60_000,
      },
    );
    await symlink('/opt/kvmatrix/venv', path.join(app, '.venv'));
    log(`committing ${tag} on ${base}`);
    await runToolOk('bash', [path.join(ciImageDir, 'build-app-image.sh'), base, tag, app], {
      timeoutMs: 10 * 60_000,
    });
    return { tag, base, built: true };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
