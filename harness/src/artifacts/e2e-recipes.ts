import type { GoRecipe } from './recipes.ts';
import { kubernetesVersionFlags } from './version-flags.ts';
import type { KubernetesRelease } from './versions.ts';

// The Kubernetes end-to-end test tools of one release, built as upstream builds them
// (hack/make-rules/build.sh): `e2e.test` is `go test -c k8s.io/kubernetes/test/e2e` with the same
// version stamps as the other binaries, `ginkgo` is the CLI at the version k8s.io/kubernetes
// requires, and `agnhost` (with nnp) is the test workload most specs run (packed into images by
// e2e-images.ts). Optional recipes: only `--only e2e,ginkgo,agnhost` builds them.
export const e2eComponentNames = ['e2e', 'ginkgo', 'agnhost'] as const;

export function listE2eRecipes(release: KubernetesRelease, buildDate: string): GoRecipe[] {
  const kubernetes = { module: 'k8s.io/kubernetes', version: `v${release.kubernetes}` };
  const ldflags = kubernetesVersionFlags(release.kubernetes, buildDate);
  return [
    {
      name: 'e2e',
      roots: [kubernetes],
      binaries: [{ name: 'e2e.test', pkg: 'k8s.io/kubernetes/test/e2e', test: true }],
      ldflags,
      optional: true,
    },
    {
      name: 'ginkgo',
      roots: [{ module: 'github.com/onsi/ginkgo/v2', version: `v${release.e2e.ginkgo}` }],
      binaries: [{ name: 'ginkgo', pkg: 'github.com/onsi/ginkgo/v2/ginkgo' }],
      ldflags: [],
      optional: true,
    },
    {
      name: 'agnhost',
      roots: [kubernetes],
      // nnp (test/images/nonewprivs) prints its effective uid; its image makes it setuid root.
      binaries: [
        { name: 'agnhost', pkg: 'k8s.io/kubernetes/test/images/agnhost' },
        { name: 'nnp', pkg: 'k8s.io/kubernetes/test/images/nonewprivs' },
      ],
      ldflags,
      copyFiles: [
        // The porter subcommand serves TLS with this pair, which the image carries at its root.
        ...['localhost.crt', 'localhost.key'].map((file) => ({
          module: 'k8s.io/kubernetes',
          file: `test/images/agnhost/porter/${file}`,
          name: `agnhost-${file}`,
        })),
        // kubectl's Update Demo reads data.json from the nautilus image (agnhost plus these).
        ...['data.json', 'nautilus.jpg'].map((file) => ({
          module: 'k8s.io/kubernetes',
          file: `test/images/nautilus/html/${file}`,
          name: `nautilus-${file}`,
        })),
      ],
      optional: true,
    },
  ];
}
