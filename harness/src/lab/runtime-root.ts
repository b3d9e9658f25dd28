import { labVersions } from './lab-versions.ts';

// The root file system every KubeVirt and CDI image of the lab is built on: Debian's libvirt and
// QEMU for virt-launcher, qemu-img and nbdkit for CDI's importer and upload server, nftables and
// iproute2 for virt-handler's network setup, xorriso for the cloud-init disks. The Debian names
// of the RPMs of KubeVirt's rpm-deps.sh (launcherbase, handlerbase) and CDI's (cdi_importer).
// One root, so every image shares its one large layer in the registry and on the nodes.
export const runtimeRootSpec = {
  name: 'runtime',
  suite: labVersions.debianSuite,
  packages: [
    'libvirt-daemon-driver-qemu',
    // Debian builds libvirt without the modular daemons: libvirtd stands in for virtqemud.
    'libvirt-daemon',
    'libvirt-clients',
    'qemu-system-x86',
    'qemu-utils',
    'seabios',
    'nbdkit',
    'libnbd0',
    'xorriso',
    'nftables',
    'iptables',
    'iproute2',
    'procps',
    'util-linux',
    'findutils',
    'tar',
    'ca-certificates',
    'curl',
  ],
};
