import type { GoModule } from './build-module.ts';
import { renderCorednsMain } from './coredns-main.ts';
import { listE2eRecipes } from './e2e-recipes.ts';
import { kubernetesVersionFlags } from './version-flags.ts';
import { addonVersions, type KubernetesRelease, networkPluginVersions } from './versions.ts';

// What to build for one Kubernetes release: one Go build module per upstream project, each with
// the binaries it yields and the link-time version stamps the upstream release build sets.
// Pure data; the recipe hash of the cache key is derived from it.

export interface GoBinary {
  name: string;
  pkg: string;
  // A test binary (`go test -c`), as Kubernetes builds e2e.test: the package's _test.go imports
  // are added to the build module so that `go mod tidy` resolves them.
  test?: boolean;
}

// A file of a root module copied beside the binaries (e.g. agnhost's porter certificate).
export interface ModuleFile {
  module: string;
  file: string;
  name: string;
}

export interface GoRecipe {
  name: string;
  roots: GoModule[];
  binaries: GoBinary[];
  ldflags: string[];
  // A main package of the build module itself: directory inside it and its main.go.
  localMain?: { dir: string; source: string };
  // A main package copied at build time from a root module's file, without the lines that
  // contain any of `dropLines` (an import of a package whose dependencies the proxy lacks).
  patchedMain?: { dir: string; module: string; file: string; dropLines: string[] };
  copyFiles?: ModuleFile[];
  // Replace directives over those the roots' go.mod files imply (see BuildModuleInput).
  replaces?: Record<string, string>;
  // Build tags, as the upstream build passes them (KubeVirt: selinux).
  tags?: string[];
  // Extra environment of every go command: GONOSUMDB for a module the checksum database lacks,
  // CGO_ENABLED=1 for binaries that link C libraries.
  env?: Record<string, string>;
  // Built only when asked for by name (`--only e2e`), never by a plain build: the e2e test
  // binaries are large and only conformance cells need them.
  optional?: boolean;
}

export const kubernetesBinaryNames = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
  'kubeadm',
  'kubectl',
  'kube-proxy',
] as const;

// `buildDate` is the publication time of the k8s.io/kubernetes module version, so that the same
// recipe always yields the same bytes.
export function listRecipes(release: KubernetesRelease, buildDate: string): GoRecipe[] {
  return [
    {
      name: 'kubernetes',
      roots: [{ module: 'k8s.io/kubernetes', version: `v${release.kubernetes}` }],
      binaries: kubernetesBinaryNames.map((name) => ({ name, pkg: `k8s.io/kubernetes/cmd/${name}` })),
      ldflags: kubernetesVersionFlags(release.kubernetes, buildDate),
    },
    {
      name: 'etcd',
      roots: [
        { module: 'go.etcd.io/etcd/server/v3', version: `v${release.etcd}` },
        { module: 'go.etcd.io/etcd/etcdctl/v3', version: `v${release.etcdctl}` },
      ],
      binaries: [
        { name: 'etcd', pkg: 'go.etcd.io/etcd/server/v3' },
        { name: 'etcdctl', pkg: 'go.etcd.io/etcd/etcdctl/v3' },
      ],
      ldflags: [],
    },
    {
      name: 'crictl',
      roots: [{ module: 'sigs.k8s.io/cri-tools', version: `v${release.crictl}` }],
      binaries: [{ name: 'crictl', pkg: 'sigs.k8s.io/cri-tools/cmd/crictl' }],
      ldflags: [`-X sigs.k8s.io/cri-tools/pkg/version.Version=${release.crictl}`],
    },
    {
      name: 'coredns',
      roots: [{ module: 'github.com/coredns/coredns', version: `v${release.coredns}` }],
      binaries: [{ name: 'coredns', pkg: 'kvmatrix.local/build/coredns/cmd/coredns' }],
      ldflags: [],
      localMain: { dir: 'cmd/coredns', source: renderCorednsMain() },
    },
    {
      name: 'flanneld',
      roots: [{ module: 'github.com/flannel-io/flannel', version: `v${networkPluginVersions.flannel}` }],
      binaries: [{ name: 'flanneld', pkg: 'kvmatrix.local/build/flanneld/cmd/flanneld' }],
      ldflags: [`-X github.com/flannel-io/flannel/pkg/version.Version=v${networkPluginVersions.flannel}`],
      // The Tencent Cloud VPC backend's SDK (github.com/tencentcloud/tencentcloud-sdk-go/
      // tencentcloud/vpc@v1.3.188) is not served by the module proxy, and the deprecated udp
      // backend needs cgo (these binaries are static): flanneld is built without those two
      // backends (vxlan, host-gw, wireguard, ipip, ipsec, alloc, extension remain).
      patchedMain: {
        dir: 'cmd/flanneld',
        module: 'github.com/flannel-io/flannel',
        file: 'main.go',
        dropLines: [
          'github.com/flannel-io/flannel/pkg/backend/tencentvpc',
          'github.com/flannel-io/flannel/pkg/backend/udp"',
        ],
      },
    },
    {
      name: 'cni-flannel',
      roots: [
        { module: 'github.com/containernetworking/plugins', version: `v${networkPluginVersions.cniPlugins}` },
      ],
      binaries: [{ name: 'flannel', pkg: 'github.com/containernetworking/plugins/plugins/meta/flannel' }],
      ldflags: [],
    },
    {
      name: 'metrics-server',
      roots: [{ module: 'sigs.k8s.io/metrics-server', version: `v${addonVersions.metricsServer}` }],
      binaries: [{ name: 'metrics-server', pkg: 'sigs.k8s.io/metrics-server/cmd/metrics-server' }],
      // The upstream Makefile stamps client-go's version package (what `--version` prints).
      ldflags: [`-X k8s.io/client-go/pkg/version.gitVersion=v${addonVersions.metricsServer}`],
    },
    ...listE2eRecipes(release, buildDate),
  ];
}
