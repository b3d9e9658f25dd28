import type { GoRecipe } from './recipes.ts';
import type { RuntimeRelease } from './runtime-versions.ts';

// What to build for a container runtime built from its Go module: containerd 2.x's daemon, its
// runc shim and ctr (the client the playbooks' readiness check and tests use). runc itself stays
// Debian's (it needs cgo and libseccomp; containerd's shim calls it by PATH). Pure data; the
// recipe hash of the cache key is derived from it.

// The link-time stamps of containerd's Makefile (`GO_LDFLAGS`): `containerd --version` prints
// them, and the CRI plugin reports the version to the kubelet (`crictl version`).
function containerdVersionFlags(release: RuntimeRelease): string[] {
  const pkg = release.module;
  return [
    `-X ${pkg}/version.Version=v${release.version}`,
    `-X ${pkg}/version.Revision=v${release.version}`,
    `-X ${pkg}/version.Package=${pkg}`,
  ];
}

export function listRuntimeRecipes(release: RuntimeRelease): GoRecipe[] {
  const pkg = release.module;
  return [
    {
      name: 'containerd',
      roots: [{ module: pkg, version: `v${release.version}` }],
      // CGO_ENABLED=0 (as every artifact build) leaves out the btrfs snapshotter (cgo only, as
      // in upstream's static release); overlayfs, native and the CRI plugin remain.
      binaries: [
        { name: 'containerd', pkg: `${pkg}/cmd/containerd` },
        { name: 'containerd-shim-runc-v2', pkg: `${pkg}/cmd/containerd-shim-runc-v2` },
        { name: 'ctr', pkg: `${pkg}/cmd/ctr` },
      ],
      ldflags: containerdVersionFlags(release),
    },
  ];
}
