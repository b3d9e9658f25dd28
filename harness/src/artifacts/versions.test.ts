import { describe, expect, it } from 'vitest';
import { resolveRelease } from './build-artifacts.ts';
import { findRelease, kubernetesReleases } from './versions.ts';

describe('findRelease', () => {
  it('accepts a minor, a full version and a v-prefixed version', () => {
    expect(findRelease('1.34')?.kubernetes).toBe(kubernetesReleases['1.34']?.kubernetes);
    expect(findRelease(`v${kubernetesReleases['1.33']?.kubernetes}`)?.etcd).toBe('3.5.24');
  });

  it('rejects a patch other than the pinned one and unknown minors', () => {
    expect(findRelease('1.34.0')).toBeUndefined();
    expect(findRelease('1.99')).toBeUndefined();
    expect(findRelease('latest')).toBeUndefined();
  });
});

describe('resolveRelease', () => {
  it('lists the versions kvmatrix can build when asked for another', () => {
    expect(() => resolveRelease('1.12')).toThrowError(/no artifact recipe for Kubernetes 1.12/);
    try {
      resolveRelease('1.12');
    } catch (error) {
      expect((error as { hint: string }).hint).toContain('1.34 (1.34.4)');
    }
  });
});

describe('kubernetesReleases', () => {
  it('tags the etcd image the way kubeadm asks for it', () => {
    for (const release of Object.values(kubernetesReleases)) {
      expect(release.etcdImageTag.startsWith(`${release.etcd}-`)).toBe(true);
    }
  });
});
