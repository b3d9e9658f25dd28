import { stringify } from 'yaml';

// The KUBE_TEST_REPO_LIST file of the e2e framework (test/utils/image/manifest.go, RegistryList):
// every registry the test images come from, pointed at the cell's mirror, so that no spec pulls
// from the internet. An image the mirror lacks fails fast with "not found" instead of a long
// DNS or connection timeout. `invalidRegistry` stays invalid on purpose (specs expect pulls from
// it to fail); the repositories mirror the upstream paths. Pure.
export const E2E_REPOSITORY = 'e2e-test-images';

export function renderRepoList(registry: string): string {
  if (!/^[\w.-]+(:\d+)?$/.test(registry)) {
    throw new TypeError(`expected a registry as host:port, got "${registry}"`);
  }
  const list = {
    // agnhost, busybox, httpd, nginx, ...: what the mirror holds under e2e-test-images/.
    promoterE2eRegistry: `${registry}/${E2E_REPOSITORY}`,
    // pause: the artifact set's, where kubeadm's images are.
    gcRegistry: `${registry}/kubernetes`,
    gcEtcdRegistry: `${registry}/kubernetes`,
    buildImageRegistry: `${registry}/build-image`,
    sigStorageRegistry: `${registry}/sig-storage`,
    dockerLibraryRegistry: `${registry}/library`,
    cloudProviderGcpRegistry: `${registry}/cloud-provider-gcp`,
    privateRegistry: `${registry}/k8s-authenticated-test`,
    gcAuthenticatedRegistry: `${registry}/authenticated-image-pulling`,
    invalidRegistry: 'invalid.registry.k8s.io/invalid',
  };
  return stringify(list);
}
