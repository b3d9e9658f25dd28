import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { KvError, ToolMissingError } from '../contracts/errors.ts';

// Packs a prepared root file system into a single-layer OCI image archive with Debian's umoci
// (no daemon, no shared container storage): init a layout, insert the rootfs as one layer, set
// the config, collect garbage, tar the layout. The archive is what `skopeo copy oci-archive:`
// and `ctr images import` read.

export interface OciImageSpec {
  rootfs: string;
  tag: string;
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  // RFC 3339; the image's creation time (the source's publication time keeps it reproducible).
  created: string;
  outFile: string;
}

const defaultPath = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

async function umoci(args: string[]): Promise<void> {
  const result = await execa('umoci', args, { reject: false, all: true });
  if (result.exitCode === 0) return;
  if ((result as { code?: string }).code === 'ENOENT' || /ENOENT/.test(String(result.all ?? ''))) {
    throw new ToolMissingError('umoci', 'apt-get install umoci');
  }
  throw new KvError('TOOL_FAILED', `umoci ${args[0]} failed: ${String(result.all).trim()}`);
}

export async function buildOciArchive(spec: OciImageSpec): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'kvm-artifacts-oci-'));
  const layout = path.join(work, 'layout');
  const image = `${layout}:${spec.tag}`;
  try {
    await umoci(['init', '--layout', layout]);
    await umoci(['new', '--image', image]);
    await umoci(['insert', '--image', image, '--history.created', spec.created, spec.rootfs, '/']);
    const config = ['config', '--image', image, '--os', 'linux', '--architecture', 'amd64'];
    config.push('--created', spec.created, '--author', 'kvmatrix', '--history.created', spec.created);
    for (const env of spec.env ?? [defaultPath]) config.push('--config.env', env);
    if (spec.entrypoint) for (const part of spec.entrypoint) config.push('--config.entrypoint', part);
    if (spec.cmd) for (const part of spec.cmd) config.push('--config.cmd', part);
    await umoci(config);
    await umoci(['gc', '--layout', layout]);
    const tar = await execa(
      'tar',
      [
        '--sort=name',
        '--mtime=@0',
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        '-C',
        layout,
        '-cf',
        spec.outFile,
        '.',
      ],
      { reject: false, all: true },
    );
    if (tar.exitCode !== 0) throw new KvError('TOOL_FAILED', `tar of ${layout} failed: ${String(tar.all)}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
