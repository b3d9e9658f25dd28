// The container runtimes kvmatrix builds from Go modules, beside the ones the node images take
// from Debian (containerd 1.6.20 in bookworm, 1.7.24 in trixie). Why this version: see
// harness/src/artifacts/README.md ("containerd 2.x").

export interface RuntimeRelease {
  // The value of the playbooks' `container_runtime` that installs it (the role of that name).
  runtime: string;
  // Full version without the leading "v", e.g. "2.4.2".
  version: string;
  module: string;
  // The folder of its artifacts under the artifact root, served as /<folder>/v<version>/.
  folder: string;
}

// containerd 2.x: the newest release the module proxy serves that builds with the Go of the
// artifact builds (its go.mod asks for go 1.26.6; the machine has 1.26.8, GOTOOLCHAIN=local).
export const containerd2Release: RuntimeRelease = {
  runtime: 'containerd2',
  version: '2.4.2',
  module: 'github.com/containerd/containerd/v2',
  folder: 'containerd',
};

export const runtimeReleases: readonly RuntimeRelease[] = [containerd2Release];

// Accepts the runtime id ("containerd2") or its version ("2.4.2", "v2.4.2"); undefined for a
// runtime or version kvmatrix has no recipe for.
export function findRuntimeRelease(requested: string): RuntimeRelease | undefined {
  const wanted = requested.trim().replace(/^v(?=\d)/, '');
  return runtimeReleases.find((release) => release.runtime === wanted || release.version === wanted);
}
