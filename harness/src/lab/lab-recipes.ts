import type { GoRecipe } from '../artifacts/recipes.ts';
import { type LabVersions, labVersions } from './lab-versions.ts';

// What the lab builds from the Go module proxy: KubeVirt's and CDI's components as their upstream
// builds make them (hack/build-go.sh of each: KubeVirt with the `selinux` tag and client-go's
// version stamps, CDI with pkg/version's), and the local-path provisioner. Pure data.
//
// Both projects replace their staging modules with local directories, which only count in the
// main module: the build module points them at the published modules of the same release.
// KubeVirt's and CDI's binaries are built in a Debian build root (`buildRoot`) with CGO_ENABLED=1:
// virt-launcher, virt-handler, cdi-importer and cdi-uploadserver link libvirt, libnbd and the C
// library, and building the others the same way compiles their shared dependencies once instead
// of twice (Go's build cache keys differ with cgo). All of them run on the lab's Debian runtime
// base, whose layer the images share. The local-path provisioner is static.

export interface LabRecipe extends GoRecipe {
  // Compiled chrooted into the lab's Debian build root (cgo against Debian's libraries).
  buildRoot?: boolean;
  // Local modules of `replaces` (`./third_party/<dir>`), copied from the build root's /usr/src,
  // with C symbols renamed (whole words, in every .go, .c and .h file).
  thirdParty?: Array<{ dir: string; from: string; renames?: Record<string, string> }>;
}

// The Go binding of libnbd, from Debian's libnbd source package in the build root. Its 1.22
// callbacks export the C symbol `freeCallbackId`, as libvirt's Go binding does: virt-launcher
// links both and ld stops at "multiple definition of `freeCallbackId'". KubeVirt pins a later
// libnbd commit (v1.25.2-5-g48df7c4d2b) for this; here the libnbd copy's symbol is renamed.
export const libnbdThirdParty = {
  dir: 'libnbd',
  from: '/usr/src/libnbd/golang',
  renames: { freeCallbackId: 'libnbdFreeCallbackId' },
};

// The build root: compilers, and the -dev packages whose versions the images then carry.
export const buildRootPackages = ['gcc', 'libc6-dev', 'pkg-config', 'libvirt-dev', 'libnbd-dev'];

function kubevirtStamps(v: LabVersions): string[] {
  const pkg = 'kubevirt.io/client-go/version';
  return [
    `-X ${pkg}.gitVersion=v${v.kubevirt.version}`,
    `-X ${pkg}.gitCommit=${v.kubevirt.commit}`,
    `-X ${pkg}.gitTreeState=clean`,
    `-X ${pkg}.buildDate=${v.kubevirt.published}`,
  ];
}

function cdiStamps(v: LabVersions): string[] {
  const pkg = 'kubevirt.io/containerized-data-importer/pkg/version';
  return [
    `-X ${pkg}.gitVersion=v${v.cdi.version}`,
    `-X ${pkg}.gitTreeState=clean`,
    `-X ${pkg}.buildDate=${v.cdi.published}`,
  ];
}

const kubevirtBinaries = [
  'virt-operator',
  'virt-launcher',
  'virt-handler',
  'virt-api',
  'virt-controller',
  'virt-launcher-monitor',
  'virt-tail',
  'virt-probe',
  'virt-freezer',
  'virt-chroot',
  'virtctl',
] as const;
const cdiBinaries = [
  'cdi-operator',
  'cdi-controller',
  'cdi-apiserver',
  'cdi-cloner',
  'cdi-uploadproxy',
  'cdi-importer',
  'cdi-uploadserver',
] as const;
const cdiTools = [
  'cdi-source-update-poller',
  'cdi-image-size-detection',
  'cdi-containerimage-server',
] as const;

export function listLabRecipes(v: LabVersions = labVersions): LabRecipe[] {
  const kubevirt = { module: 'kubevirt.io/kubevirt', version: `v${v.kubevirt.version}` };
  const cdi = { module: 'kubevirt.io/containerized-data-importer', version: `v${v.cdi.version}` };
  const kubevirtCommon = {
    roots: [kubevirt],
    ldflags: kubevirtStamps(v),
    tags: ['selinux'],
    // go.mod requires kubevirt.io/api v1.7.0 and client-go at a placeholder, both replaced by
    // ./staging: the staging copies are published at the release's own version.
    replaces: {
      'kubevirt.io/api': `kubevirt.io/api v${v.kubevirt.version}`,
      'kubevirt.io/client-go': `kubevirt.io/client-go v${v.kubevirt.version}`,
      'libguestfs.org/libnbd': `./third_party/${libnbdThirdParty.dir}`,
    },
    thirdParty: [libnbdThirdParty],
    env: { CGO_ENABLED: '1' },
    buildRoot: true,
  };
  const cdiCommon = {
    roots: [cdi],
    ldflags: cdiStamps(v),
    replaces: {
      'kubevirt.io/containerized-data-importer-api': `kubevirt.io/containerized-data-importer-api v${v.cdi.version}`,
      'libguestfs.org/libnbd': `./third_party/${libnbdThirdParty.dir}`,
      // `k8s.io/dynamic-resource-allocation => dynamic-resource-allocation v0.31.5` in CDI's
      // go.mod names no module (no domain); no CDI binary needs it.
      'k8s.io/dynamic-resource-allocation': '',
    },
    thirdParty: [libnbdThirdParty],
    // sum.golang.org answers 404 for kubevirt.io/containerized-data-importer@v1.64.0 (the module
    // proxy serves it): its hash is recorded in the build module's go.sum on first download.
    env: { GONOSUMDB: 'kubevirt.io/containerized-data-importer', CGO_ENABLED: '1' },
    buildRoot: true,
  };
  return [
    {
      name: 'kubevirt',
      ...kubevirtCommon,
      binaries: [
        ...kubevirtBinaries.map((name) => ({ name, pkg: `kubevirt.io/kubevirt/cmd/${name}` })),
        { name: 'manifest-templator', pkg: 'kubevirt.io/kubevirt/tools/manifest-templator' },
      ],
    },
    {
      name: 'cdi',
      ...cdiCommon,
      binaries: [
        ...cdiBinaries.map((name) => ({ name, pkg: `kubevirt.io/containerized-data-importer/cmd/${name}` })),
        ...cdiTools.map((name) => ({ name, pkg: `kubevirt.io/containerized-data-importer/tools/${name}` })),
        {
          name: 'cdi-manifest-generator',
          pkg: 'kubevirt.io/containerized-data-importer/tools/manifest-generator',
        },
      ],
    },
    {
      // CDI copies cdi-containerimage-server into the container disk's own pod for node pulls
      // (pullMethod: node), where no C library exists: static, as upstream's build-go.sh links
      // it (the cgo build of the `cdi` recipe is not used).
      name: 'cdi-static',
      ...cdiCommon,
      binaries: [
        {
          name: 'cdi-containerimage-server-static',
          pkg: 'kubevirt.io/containerized-data-importer/tools/cdi-containerimage-server',
        },
      ],
      env: { GONOSUMDB: 'kubevirt.io/containerized-data-importer' },
      buildRoot: false,
    },
    {
      name: 'local-path-provisioner',
      roots: [{ module: 'github.com/rancher/local-path-provisioner', version: `v${v.localPath}` }],
      binaries: [{ name: 'local-path-provisioner', pkg: 'github.com/rancher/local-path-provisioner' }],
      ldflags: [`-X main.VERSION=v${v.localPath}`],
    },
  ];
}
