import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureGoldenImage, type GoldenImage } from '../local/golden-image.ts';
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
  // Network units from the kernel command line: a container's network is podman's.
  'systemd-network-generator.service',
];

// Generators that have nothing to find in a node container (disks, encryption, hibernation,
// consoles): each is a process systemd runs and waits for before it starts any unit.
export const CONTAINER_DISABLED_GENERATORS = [
  'systemd-cryptsetup-generator',
  'systemd-integritysetup-generator',
  'systemd-veritysetup-generator',
  'systemd-gpt-auto-generator',
  'systemd-hibernate-resume-generator',
  'systemd-getty-generator',
  'systemd-system-update-generator',
  'systemd-debug-generator',
];

// sshd first: the harness waits for an SSH login and nothing sshd needs comes from sysinit or
// basic.target in a container (podman provides /dev, /run and the network), so sshd and its host
// key skip the default ordering after them; the config test before start is dropped too (the
// image's config is fixed). Everything else in the boot still runs as before.
export const CONTAINER_DROP_INS: Record<string, string> = {
  'kvmatrix-host-keys.service': '[Unit]\nDefaultDependencies=no\nAfter=systemd-journald.socket\n',
  'ssh.service':
    '[Unit]\nDefaultDependencies=no\nAfter=systemd-journald.socket systemd-journald-dev-log.socket\nConflicts=shutdown.target\nBefore=shutdown.target\n\n[Service]\nExecStartPre=\n',
};

export function podmanImageTag(image: GoldenImage): string {
  const layer = createHash('sha256')
    .update(JSON.stringify([CONTAINER_MASKED_UNITS, CONTAINER_DISABLED_GENERATORS, CONTAINER_DROP_INS]))
    .digest('hex')
    .slice(0, 6);
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
    const generators = path.join(context, 'etc', 'systemd', 'system-generators');
    await mkdir(generators, { recursive: true });
    for (const name of CONTAINER_DISABLED_GENERATORS) await symlink('/dev/null', path.join(generators, name));
    for (const [unit, text] of Object.entries(CONTAINER_DROP_INS)) {
      await mkdir(path.join(units, `${unit}.d`), { recursive: true });
      await writeFile(path.join(units, `${unit}.d`, 'kvmatrix-early.conf'), text);
    }
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
