import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureGoldenImage, type GoldenImage } from '../common/golden-image.ts';
import { podman, podmanOk } from './podman.ts';

// Units a node container does not need and that only cost start-up time there (kernel pseudo
// file systems the host already has, module loading that cannot work): masked in a thin layer on
// top of the golden rootfs, so the golden image (shared with qemu) stays as it is.
export const CONTAINER_MASKED_UNITS = [
  'dev-hugepages.mount',
  'dev-mqueue.mount',
  'sys-kernel-debug.mount',
  'sys-kernel-tracing.mount',
  'sys-kernel-config.mount',
  'sys-fs-fuse-connections.mount',
  'modprobe@.service',
  'kmod-static-nodes.service',
  'systemd-pstore.service',
  'e2scrub_reap.service',
];

export function podmanImageTag(image: GoldenImage): string {
  const layer = createHash('sha256').update(CONTAINER_MASKED_UNITS.join('\n')).digest('hex').slice(0, 6);
  return `localhost/kvmatrix-node:${image.os}-${image.hash}-${layer}`;
}

// The node image in podman's store: the golden rootfs imported once per recipe, plus the
// container layer above. Cached by tag; safe to call again.
export async function ensurePodmanImage(os: string, log: (line: string) => void): Promise<string> {
  const image = await ensureGoldenImage(os, log);
  const tag = podmanImageTag(image);
  if ((await podman(['image', 'exists', tag])).exitCode === 0) return tag;
  const base = `localhost/kvmatrix-node-base:${image.os}-${image.hash}`;
  if ((await podman(['image', 'exists', base])).exitCode !== 0) {
    log(`importing ${image.rootfsTar} into podman as ${base}`);
    await podmanOk(
      [
        'import',
        '--quiet',
        '--change',
        'CMD=["/sbin/init"]',
        '--change',
        'STOPSIGNAL=SIGRTMIN+3',
        '--change',
        'ENV=container=podman',
        image.rootfsTar,
        base,
      ],
      { what: 'podman import of the node image', timeoutMs: 600_000 },
    );
  }
  const context = await mkdtemp(path.join(tmpdir(), 'kvm-node-layer-'));
  try {
    const units = path.join(context, 'etc', 'systemd', 'system');
    await mkdir(units, { recursive: true });
    for (const unit of CONTAINER_MASKED_UNITS) await symlink('/dev/null', path.join(units, unit));
    await writeFile(path.join(context, 'Containerfile'), `FROM ${base}\nCOPY etc /etc\n`);
    await podmanOk(['build', '--quiet', '--pull=never', '--tag', tag, context], {
      what: 'building the node container layer',
      timeoutMs: 300_000,
    });
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  return tag;
}
