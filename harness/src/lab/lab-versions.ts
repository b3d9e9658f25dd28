// The versions the KubeVirt lab builds: the API versions the kubevirt provider was written against
// (vm-templates/README.md), and the Debian release whose libvirt, QEMU and libnbd the cgo binaries
// link and the images carry. Why each one: harness/src/lab/README.md.

export interface LabVersions {
  kubevirt: { version: string; commit: string; published: string };
  cdi: { version: string; published: string };
  localPath: string;
  // Debian 13: libvirt 11.3 / QEMU 10.0 / libnbd 1.22, close to what KubeVirt 1.8 ships with
  // (Debian 12's libvirt 9.0 and libnbd 1.14 lack the APIs virt-launcher calls).
  debianSuite: string;
  // libguestfs.org is not a module host the proxy serves: the Go binding of libnbd comes from
  // Debian's libnbd source package (its golang/ directory), of the version the build root links.
  libnbdSource: string;
}

export const labVersions: LabVersions = {
  kubevirt: {
    version: '1.8.1',
    commit: 'ae865b624b443450f7aedadc30cf9223a6176015',
    published: '2026-03-29T13:24:20Z',
  },
  cdi: {
    version: '1.64.0',
    published: '2025-12-11T20:17:32Z',
  },
  // Newer releases (v0.0.31, v0.0.32) answer 403 at the module proxy; v0.0.30 is served.
  localPath: '0.0.30',
  debianSuite: 'trixie',
  libnbdSource: '1.22.2-1',
};
