import { createHash } from 'node:crypto';
import { access, copyFile, mkdir, mkdtemp, readFile, rename, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { publishToMirror } from '../artifacts/push-images.ts';
import { ToolMissingError } from '../contracts/errors.ts';
import { cacheDir } from '../host/paths.ts';

// The checks' test workload image: Debian's static busybox (httpd, wget, nslookup, sh) in an OCI
// image built locally with umoci, so checks need nothing from the internet. Cached by content.
const BUSYBOX = '/bin/busybox';
const APPLETS = ['sh', 'httpd', 'wget', 'nslookup', 'mkdir', 'echo', 'cat', 'sleep', 'hostname', 'timeout'];
export const PROBE_REPOSITORY = 'kvmatrix/probe';

export interface ProbeImage {
  layout: string;
  tag: string;
}

export async function buildProbeImage(): Promise<ProbeImage> {
  await access(BUSYBOX).catch(() => {
    throw new ToolMissingError(BUSYBOX, "install Debian's busybox-static (npm run setup does)");
  });
  const digest = createHash('sha256')
    .update(await readFile(BUSYBOX))
    .update(APPLETS.join(','))
    .digest('hex');
  const tag = digest.slice(0, 12);
  const layout = cacheDir('images', 'probe-oci');
  const marker = path.join(layout, `.built-${tag}`);
  if (await exists(marker)) return { layout, tag };
  await mkdir(path.dirname(layout), { recursive: true });
  const work = await mkdtemp(path.join(path.dirname(layout), '.probe-'));
  try {
    const tmpLayout = path.join(work, 'layout');
    const bundle = path.join(work, 'bundle');
    await execa('umoci', ['init', '--layout', tmpLayout]);
    await execa('umoci', ['new', '--image', `${tmpLayout}:${tag}`]);
    await execa('umoci', ['unpack', '--image', `${tmpLayout}:${tag}`, bundle]);
    const bin = path.join(bundle, 'rootfs', 'bin');
    await mkdir(bin, { recursive: true });
    await copyFile(BUSYBOX, path.join(bin, 'busybox'));
    for (const applet of APPLETS) await symlink('busybox', path.join(bin, applet));
    await execa('umoci', ['repack', '--image', `${tmpLayout}:${tag}`, bundle]);
    await execa('umoci', [
      'config',
      '--image',
      `${tmpLayout}:${tag}`,
      '--config.env',
      'PATH=/bin',
      '--config.cmd',
      '/bin/sh',
    ]);
    await execa('touch', [path.join(tmpLayout, `.built-${tag}`)]);
    await rm(layout, { recursive: true, force: true });
    await rename(tmpLayout, layout);
    return { layout, tag };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

// Puts the probe image into the mirror's registry storage (once per image content) through a
// private writable registry on loopback, as the artifact build does for Kubernetes' images; the
// mirror that serves runs is read-only. Returns the repository:tag the machines pull.
export function publishProbeImage(image: ProbeImage): Promise<string> {
  return publishToMirror(
    `oci:${image.layout}:${image.tag}`,
    `${PROBE_REPOSITORY}:${image.tag}`,
    `.probe-pushed-${image.tag}`,
  );
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}
