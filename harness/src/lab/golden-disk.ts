import { createHash } from 'node:crypto';
import { chown, copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildOciArchive } from '../artifacts/oci-image.ts';
import { publishToMirror } from '../artifacts/push-images.ts';
import { ensureCacheEntry } from '../host/cache-entry.ts';
import { cacheDir, repoRoot } from '../host/paths.ts';
import { runToolOk } from '../host/run-tool.ts';
import { ensureGoldenImage } from '../providers/local/golden-image.ts';

// The golden images the lab's CDI imports (vm-templates/golden-images): the qemu provider's golden
// image made bootable by firmware and given cloud-init (harness/images/build-kubevirt-disk.sh),
// packed as a container disk (the qcow2 under /disk, owned by the qemu user 107, as KubeVirt's
// containerdisks are) and served from the mirror's registry, where the DataImportCron polls it.

export const goldenDiskScript = path.join(repoRoot, 'harness', 'images', 'build-kubevirt-disk.sh');

export interface GoldenDisk {
  os: string;
  disk: string;
  // Repository and tag in the mirror: kvmatrix-lab/containerdisks/<os>:<hash>.
  reference: string;
}

export async function ensureGoldenDisk(osName: string, log: (line: string) => void): Promise<GoldenDisk> {
  const golden = await ensureGoldenImage(osName, log);
  const script = await readFile(goldenDiskScript, 'utf8');
  const hash = createHash('sha256').update(`${golden.hash}\n${script}`).digest('hex').slice(0, 12);
  const dir = cacheDir('lab', 'disks', `${golden.os}-${hash}`);
  await ensureCacheEntry(
    dir,
    (target) =>
      runToolOk('bash', [goldenDiskScript, golden.dir, target], {
        what: `building the KubeVirt golden disk of ${golden.os}`,
        hint: 'needs root, loop devices and access to the Debian mirror',
        timeoutMs: 30 * 60_000,
      }).then(() => {}),
    {
      onBuild: () =>
        log(`KubeVirt golden disk ${golden.os}: extlinux and cloud-init on ${golden.dir} (a few minutes)`),
    },
  );
  const disk = path.join(dir, 'disk.qcow2');
  const reference = `kvmatrix-lab/containerdisks/${golden.os}:${hash}`;
  const archive = path.join(dir, 'containerdisk.oci.tar');
  await ensureCacheEntry(archive, async (target) => {
    const rootfs = await mkdtemp(path.join(os.tmpdir(), 'kvm-lab-containerdisk-'));
    try {
      await mkdir(path.join(rootfs, 'disk'), { recursive: true });
      await copyFile(disk, path.join(rootfs, 'disk', 'disk.qcow2'));
      await chown(path.join(rootfs, 'disk', 'disk.qcow2'), 107, 107);
      await buildOciArchive({ rootfs, tag: hash, created: '1970-01-01T00:00:00Z', outFile: target });
    } finally {
      await rm(rootfs, { recursive: true, force: true });
    }
  });
  await publishToMirror(
    `oci-archive:${archive}:${hash}`,
    reference,
    `kubevirt-lab-containerdisk-${golden.os}-${hash}.pushed`,
  );
  return { os: golden.os, disk, reference };
}
