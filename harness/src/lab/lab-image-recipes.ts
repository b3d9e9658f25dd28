import { labVersions } from './lab-versions.ts';

// The lab's images, as KubeVirt's and CDI's BUILD.bazel files define them (cmd/<name>/BUILD.bazel:
// the files under /usr/bin, the entrypoint, the user), each on the lab's Debian runtime base
// instead of CentOS Stream. Names are what the operators derive from their own image:
// <registry>/kubevirt/virt-handler:v1.8.1, <registry>/cdi/cdi-importer:v1.64.0. Pure data.

export interface LabFile {
  // Source: `bin:<name>` (a built binary), `kubevirt:<path>` / `cdi:<path>` (a file of the
  // module), or `lab:<name>` (a file of harness/src/lab/image-files/).
  from: string;
  to: string;
  mode?: number;
}

export interface LabImageRecipe {
  name: string;
  repository: 'kubevirt' | 'cdi' | 'kvmatrix-lab';
  tag: string;
  files: LabFile[];
  entrypoint: string[];
  user?: string;
  // On the Debian runtime base (libvirt, QEMU, qemu-img, nbdkit); otherwise scratch.
  runtimeBase: boolean;
  // Add the qemu user (uid/gid 107) KubeVirt's qemu.conf names, and /var/run -> ../run.
  launcherAccounts?: boolean;
}

const bin = (name: string, dir = '/usr/bin'): LabFile => ({ from: `bin:${name}`, to: `${dir}/${name}` });

export function listLabImageRecipes(): LabImageRecipe[] {
  const kv = `v${labVersions.kubevirt.version}`;
  const cdi = `v${labVersions.cdi.version}`;
  const kubevirtImage = (name: string, extra: LabFile[] = [], user?: string): LabImageRecipe => ({
    name,
    repository: 'kubevirt',
    tag: kv,
    files: [bin(name), ...extra],
    entrypoint: [`/usr/bin/${name}`],
    runtimeBase: true,
    ...(user ? { user } : {}),
  });
  const cdiImage = (name: string, extra: LabFile[] = [], entrypoint?: string[]): LabImageRecipe => ({
    name,
    repository: 'cdi',
    tag: cdi,
    files: [bin(name), ...extra],
    entrypoint: entrypoint ?? [`/usr/bin/${name}`, '-alsologtostderr'],
    user: '1001',
    runtimeBase: true,
  });
  return [
    kubevirtImage('virt-operator', [], '1001'),
    kubevirtImage('virt-api', [], '1001'),
    kubevirtImage('virt-controller', [], '1001'),
    kubevirtImage('virt-handler', [bin('virt-chroot')]),
    {
      ...kubevirtImage('virt-launcher', [
        bin('virt-launcher-monitor'),
        bin('virt-tail'),
        bin('virt-probe'),
        bin('virt-freezer'),
        bin('container-disk'),
        {
          from: 'kubevirt:cmd/virt-launcher/node-labeller/node-labeller.sh',
          to: '/usr/bin/node-labeller.sh',
          mode: 0o755,
        },
        { from: 'kubevirt:cmd/virt-launcher/qemu.conf', to: '/etc/libvirt/qemu.conf' },
        { from: 'kubevirt:cmd/virt-launcher/virtqemud.conf', to: '/etc/libvirt/virtqemud.conf' },
        { from: 'kubevirt:cmd/virt-launcher/nsswitch.conf', to: '/etc/nsswitch.conf' },
        { from: 'kubevirt:cmd/virt-launcher/qemu', to: '/etc/libvirt/hooks/qemu', mode: 0o755 },
        { from: 'lab:virtqemud', to: '/usr/sbin/virtqemud', mode: 0o755 },
      ]),
      launcherAccounts: true,
    },
    cdiImage('cdi-operator'),
    cdiImage('cdi-controller'),
    cdiImage('cdi-apiserver'),
    cdiImage('cdi-uploadproxy'),
    cdiImage('cdi-uploadserver'),
    cdiImage(
      'cdi-cloner',
      [{ from: 'cdi:cmd/cdi-cloner/cloner_startup.sh', to: '/usr/bin/cloner_startup.sh', mode: 0o755 }],
      ['/usr/bin/cloner_startup.sh'],
    ),
    cdiImage('cdi-importer', [
      bin('cdi-source-update-poller'),
      bin('cdi-image-size-detection'),
      { from: 'bin:cdi-containerimage-server-static', to: '/usr/bin/cdi-containerimage-server' },
    ]),
    {
      name: 'local-path-provisioner',
      repository: 'kvmatrix-lab',
      tag: `v${labVersions.localPath}`,
      files: [bin('local-path-provisioner')],
      entrypoint: ['/usr/bin/local-path-provisioner'],
      runtimeBase: false,
    },
  ];
}
