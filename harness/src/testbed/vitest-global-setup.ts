import type { TestProject } from 'vitest/node';
import { createProgress } from '../artifacts/progress.ts';
import { isKvError } from '../errors.ts';
import { type ControlPlane, startControlPlane } from './control-plane.ts';

// Vitest global setup: one real control plane (etcd + kube-apiserver + kube-controller-manager)
// per test run, shared by every test file, which `inject('kubeconfig')` (or use
// requireKubeconfig()) and create their own namespaces. When the binaries are not built, the run
// goes on and `testbedUnavailable` says why, so suites that need no cluster still run; tests that
// need one fail with that reason. KVMATRIX_TESTBED=off skips the start.

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    testbedUnavailable: string;
    // False when KUBEBUILDER_ASSETS holds no kube-controller-manager (plain envtest).
    controllerManager: boolean;
  }
}

let plane: ControlPlane | undefined;

export async function setup(project: TestProject): Promise<void> {
  project.provide('kubeconfig', '');
  project.provide('testbedUnavailable', '');
  project.provide('controllerManager', false);
  if (process.env.KVMATRIX_TESTBED === 'off') {
    project.provide('testbedUnavailable', 'KVMATRIX_TESTBED=off');
    return;
  }
  const started = Date.now();
  try {
    plane = await startControlPlane({ progress: createProgress('testbed') });
  } catch (error) {
    const reason = isKvError(error) && error.hint ? `${error.message} (${error.hint})` : String(error);
    process.stderr.write(`testbed: not started: ${reason}\n`);
    project.provide('testbedUnavailable', reason);
    return;
  }
  process.stderr.write(
    `testbed: ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${plane.server})\n`,
  );
  project.provide('kubeconfig', plane.kubeconfig);
  project.provide('controllerManager', plane.controllerManager);
}

export async function teardown(): Promise<void> {
  await plane?.stop();
  plane = undefined;
}
