import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { sshRun } from '../host/ssh.ts';
import { type Machine, sshTargetOf } from '../providers/provider.ts';

const UNITS = ['kubelet', 'containerd', 'etcd', 'crio', 'flanneld'];

// Collects what a person needs to find why a cell failed: `kubectl cluster-info dump` (when the
// apiserver answers) and the journals of kubelet, containerd and etcd from every node. Never
// throws: a dump that fails half-way keeps what it got and says what it missed.
export async function dumpCluster(
  outDir: string,
  machines: Machine[],
  kubectl?: string,
  kubeconfig?: string,
): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const notes: string[] = [];
  if (kubectl && kubeconfig) {
    const dir = path.join(outDir, 'cluster-info');
    const r = await execa(
      kubectl,
      ['--kubeconfig', kubeconfig, 'cluster-info', 'dump', '--all-namespaces', '--output-directory', dir],
      { reject: false, timeout: 120_000 },
    );
    if (r.exitCode === 0) written.push(dir);
    else notes.push(`kubectl cluster-info dump failed: ${String(r.stderr).split('\n')[0]}`);
  }
  for (const machine of machines) {
    const units = UNITS.map((u) => `-u ${u}`).join(' ');
    const r = await sshRun(
      sshTargetOf(machine),
      `journalctl --no-pager -o short-precise ${units} 2>&1 | tail -n 20000`,
      { timeoutMs: 60_000 },
    );
    const file = path.join(outDir, `journal-${machine.name}.log`);
    await writeFile(file, r.exitCode === 0 ? r.stdout : `ssh failed (${r.exitCode}): ${r.stderr}\n`);
    written.push(file);
  }
  if (notes.length) {
    const file = path.join(outDir, 'dump-notes.txt');
    await writeFile(file, `${notes.join('\n')}\n`);
    written.push(file);
  }
  return written;
}
