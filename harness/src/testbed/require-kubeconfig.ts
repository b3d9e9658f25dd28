import { inject } from 'vitest';
import { KvError } from '../contracts/errors.ts';

// For tests: the kubeconfig of the shared test control plane, or a failure that says why there is
// none (binaries not built, KVMATRIX_TESTBED=off).
export function requireKubeconfig(): string {
  const kubeconfig = inject('kubeconfig');
  if (!kubeconfig) {
    throw new KvError('PREFLIGHT', `the test control plane is not running: ${inject('testbedUnavailable')}`, {
      hint: 'npx kvmatrix artifacts build --kubernetes 1.34 --only kubernetes,etcd',
    });
  }
  return kubeconfig;
}
