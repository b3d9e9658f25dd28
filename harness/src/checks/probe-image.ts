import { createHash } from 'node:crypto';
import { access, copyFile, mkdir, readFile, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { publishToMirror } from '../artifacts/push-images.ts';
import { ToolMissingError } from '../contracts/errors.ts';
import { ensureCacheEntry } from '../host/cache-entry.ts';
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
  const layout = cacheDir('images', `probe-oci-${tag}`);
  await ensureCacheEntry(layout, async (partial) => {
    const bundle = `${partial}.bundle`;
    try {
      await execa('umoci', ['init', '--layout', partial]);
      await execa('umoci', ['new', '--image', `${partial}:${tag}`]);
      await execa('umoci', ['unpack', '--image', `${partial}:${tag}`, bundle]);
      const bin = path.join(bundle, 'rootfs', 'bin');
      await mkdir(bin, { recursive: true });
      await copyFile(BUSYBOX, path.join(bin, 'busybox'));
      for (const applet of APPLETS) await symlink('busybox', path.join(bin, applet));
      await execa('umoci', ['repack', '--image', `${partial}:${tag}`, bundle]);
      await execa('umoci', [
        'config',
        '--image',
        `${partial}:${tag}`,
        '--config.env',
        'PATH=/bin',
        '--config.cmd',
        '/bin/sh',
      ]);
    } finally {
      await rm(bundle, { recursive: true, force: true });
    }
  });
  return { layout, tag };
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
