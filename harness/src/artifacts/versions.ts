// The Kubernetes releases kvmatrix builds, and the versions of everything that goes with each one.
// Companion versions follow what that release's kubeadm expects (cmd/kubeadm/app/constants:
// DefaultEtcdVersion, CoreDNSVersion, PauseVersion), so `kubeadm init` with
// `imageRepository: <registry>/kubernetes` finds every image under the tag it asks for.
// Why these two minors: see harness/src/artifacts/README.md ("Choice of versions").

export interface KubernetesRelease {
  // Full version without the leading "v", e.g. "1.34.4".
  kubernetes: string;
  // etcd server built for the etcd image and bin/etcd; the image tag kubeadm asks for.
  etcd: string;
  etcdImageTag: string;
  // etcdctl comes from its own module; not every etcd patch is served by the module proxy.
  etcdctl: string;
  coredns: string;
  pause: string;
  crictl: string;
  // The e2e test tools: ginkgo at the version k8s.io/kubernetes' go.mod requires, and the
  // agnhost and busybox tags its test/utils/image/manifest.go asks for.
  e2e: { ginkgo: string; agnhost: string; busybox: string };
}

export const kubernetesReleases: Readonly<Record<string, KubernetesRelease>> = {
  // N-1: upgrade scenarios start here.
  '1.33': {
    kubernetes: '1.33.13',
    etcd: '3.5.24',
    etcdImageTag: '3.5.24-0',
    // go.etcd.io/etcd/etcdctl/v3@v3.5.24 and @v3.5.23 answer 403 "not available" at the module
    // proxy; 3.5.21 is served. It is built in the same module as server 3.5.24, so its etcd
    // libraries resolve to 3.5.24 (minimal version selection).
    etcdctl: '3.5.21',
    coredns: '1.12.0',
    pause: '3.10',
    // cri-tools v1.33.0 is not served by the module proxy; crictl 1.34 speaks the same CRI v1.
    crictl: '1.34.0',
    e2e: { ginkgo: '2.21.0', agnhost: '2.53', busybox: '1.36.1-1' },
  },
  // N: the version every deploy cell uses.
  '1.34': {
    kubernetes: '1.34.4',
    etcd: '3.6.5',
    etcdImageTag: '3.6.5-0',
    etcdctl: '3.6.5',
    coredns: '1.12.1',
    pause: '3.10.1',
    crictl: '1.34.0',
    e2e: { ginkgo: '2.21.0', agnhost: '2.56', busybox: '1.37.0-1' },
  },
};

// The second network plugin's binaries, the same for every Kubernetes version.
export const networkPluginVersions = {
  // flanneld from github.com/flannel-io/flannel.
  flannel: '0.28.10',
  // The `flannel` CNI plugin. github.com/flannel-io/cni-plugin answers 403 "not available" at the
  // module proxy (even its version list); the same plugin lived in
  // github.com/containernetworking/plugins (plugins/meta/flannel) up to v0.9.1, which is served.
  cniPlugins: '0.9.1',
} as const;

// Cluster addons beyond CoreDNS, the same for every Kubernetes version.
export const addonVersions = {
  // sigs.k8s.io/metrics-server: the resource metrics API (kubectl top, autoscalers).
  metricsServer: '0.8.0',
} as const;

export const currentMinor = '1.34';
export const previousMinor = '1.33';

export function listMinors(): string[] {
  return Object.keys(kubernetesReleases);
}

// Accepts "1.34", "1.34.4" or "v1.34.4"; returns undefined for a minor kvmatrix has no recipe for
// or a patch other than the pinned one.
export function findRelease(requested: string): KubernetesRelease | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(requested.trim());
  if (!match) return undefined;
  const release = kubernetesReleases[`${match[1]}.${match[2]}`];
  if (!release) return undefined;
  if (match[3] !== undefined && release.kubernetes !== `${match[1]}.${match[2]}.${match[3]}`)
    return undefined;
  return release;
}
