import { execFileSync } from 'node:child_process';
import { access, mkdtemp, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProbeImage, publishProbeImage } from '../src/checks/probe-image.ts';
import { cacheDir, stateDir } from '../src/host/paths.ts';
import { ensureGoldenImage, isGoldenImageBuilt } from '../src/providers/local/golden-image.ts';

// The first use of every cache that is cheap enough for the suite, against KVMATRIX_CACHE_DIR and
// KVMATRIX_STATE_DIR folders that do not exist yet (not even their parents), so a warm
// ~/.cache/kvmatrix cannot hide a step that writes into a folder nobody made (issue 22: the
// golden image's lock file on a fresh machine). The expensive caches (the artifact set, the
// operator image, the e2e images) have the same check in `npm run setup -- --from-scratch`.

function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const isRoot = process.getuid?.() === 0;
const missing = ['debootstrap', 'umoci', 'skopeo', 'docker-registry'].filter((c) => !has(c));
const why = !isRoot ? 'needs root (debootstrap)' : missing.length ? `needs ${missing.join(', ')}` : '';
if (why) console.warn(`cold-start tests skipped: ${why} (npm run setup installs them)`);

let scratch = '';
const saved = { cache: process.env.KVMATRIX_CACHE_DIR, state: process.env.KVMATRIX_STATE_DIR };

describe.skipIf(Boolean(why))('the first use of each cache on a fresh machine', () => {
  beforeAll(async () => {
    // On disk, not tmpfs: the node image is about a gigabyte before it is packed.
    scratch = await mkdtemp('/var/tmp/kvm-cold-start-');
    process.env.KVMATRIX_CACHE_DIR = path.join(scratch, 'no', 'cache', 'yet');
    process.env.KVMATRIX_STATE_DIR = path.join(scratch, 'no', 'state', 'yet');
  });
  afterAll(async () => {
    for (const [key, value] of [
      ['KVMATRIX_CACHE_DIR', saved.cache],
      ['KVMATRIX_STATE_DIR', saved.state],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('builds the golden node image into a cache folder that does not exist', async () => {
    await expect(access(cacheDir())).rejects.toThrow();
    const lines: string[] = [];
    const image = await ensureGoldenImage('debian12', (line) => lines.push(line));
    expect(image.dir.startsWith(cacheDir('images'))).toBe(true);
    expect(await isGoldenImageBuilt(image)).toBe(true);
    for (const product of [image.rootfsTar, image.disk, image.kernel, image.initrd]) await access(product);
    expect(lines.some((line) => line.includes('building golden node image debian12'))).toBe(true);
    // Nothing but the entry and the download cache beside it: no lock, no partial build.
    expect((await readdir(cacheDir('images'))).sort()).toEqual(['debs', path.basename(image.dir)].sort());
    // A second call is served from the cache, without a build.
    const again: string[] = [];
    await ensureGoldenImage('debian12', (line) => again.push(line));
    expect(again).toEqual([]);
  }, 1_200_000);

  it('builds the probe image and publishes it into a registry storage that does not exist', async () => {
    const image = await buildProbeImage();
    expect(image.layout.startsWith(cacheDir('images'))).toBe(true);
    await access(path.join(image.layout, 'index.json'));
    const ref = await publishProbeImage(image);
    expect(ref).toBe(`kvmatrix/probe:${image.tag}`);
    const storage = cacheDir('artifacts', 'registry');
    expect(await readdir(storage)).toContain(`.probe-pushed-${image.tag}`);
    await access(path.join(storage, 'docker', 'registry', 'v2', 'repositories', 'kvmatrix', 'probe'));
    // The state folder is made only by what needs it: these caches wrote nothing there.
    await expect(access(stateDir())).rejects.toThrow();
  }, 300_000);
});
