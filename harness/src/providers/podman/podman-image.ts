import { ensureGoldenImage, type GoldenImage } from '../common/golden-image.ts';
import { podman, podmanOk } from './podman.ts';

export function podmanImageTag(image: GoldenImage): string {
  return `localhost/kvmatrix-node:${image.os}-${image.hash}`;
}

// The node image in podman's store, imported from the golden rootfs (cached by recipe hash).
export async function ensurePodmanImage(os: string, log: (line: string) => void): Promise<string> {
  const image = await ensureGoldenImage(os, log);
  const tag = podmanImageTag(image);
  if ((await podman(['image', 'exists', tag])).exitCode === 0) return tag;
  log(`importing ${image.rootfsTar} into podman as ${tag}`);
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
      tag,
    ],
    { what: 'podman import of the node image', timeoutMs: 600_000 },
  );
  return tag;
}
