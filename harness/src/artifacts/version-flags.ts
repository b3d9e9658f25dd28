// Kubernetes stamps its version into two packages (hack/lib/version.sh); without it the binaries
// report v0.0.0-master and kubeadm cannot pick images or check skew.
export function kubernetesVersionFlags(version: string, buildDate: string): string[] {
  const [major, minor] = version.split('.');
  const values: Record<string, string> = {
    gitVersion: `v${version}`,
    gitMajor: major ?? '',
    gitMinor: minor ?? '',
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate,
  };
  return ['k8s.io/client-go/pkg/version', 'k8s.io/component-base/version'].flatMap((pkg) =>
    Object.entries(values).map(([key, value]) => `-X ${pkg}.${key}=${value}`),
  );
}
