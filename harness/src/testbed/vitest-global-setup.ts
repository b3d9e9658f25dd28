import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { isKvError } from '../contracts/errors.ts';
import { createLineProgress } from '../host/progress.ts';
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

const usesControlPlane = /requireKubeconfig|inject\(\s*['"]kubeconfig/;

// True when the file, or a file it imports by a relative path (two levels deep, where test
// helpers live), asks for the control plane.
async function reachesControlPlane(file: string, depth: number, seen: Set<string>): Promise<boolean> {
  if (seen.has(file)) return false;
  seen.add(file);
  const text = await readFile(file, 'utf8').catch(() => '');
  if (usesControlPlane.test(text)) return true;
  if (depth === 0) return false;
  for (const match of text.matchAll(/from\s+['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = path.resolve(path.dirname(file), match[1] ?? '');
    if (await reachesControlPlane(target, depth - 1, seen)) return true;
  }
  return false;
}

// A run narrowed to files none of which use the control plane (`vitest run harness/src/lint`)
// does not start one. Filters are the positional arguments of `vitest run`.
async function runNeedsControlPlane(project: TestProject): Promise<boolean> {
  const args = process.argv
    .slice(2)
    .filter((arg) => !arg.startsWith('-') && arg !== 'run' && arg !== 'watch');
  if (!args.length) return true;
  const { testFiles } = await project.globTestFiles(args);
  const seen = new Set<string>();
  for (const file of testFiles) {
    if (await reachesControlPlane(file, 2, seen)) return true;
  }
  return false;
}

export async function setup(project: TestProject): Promise<void> {
  project.provide('kubeconfig', '');
  project.provide('testbedUnavailable', '');
  project.provide('controllerManager', false);
  if (process.env.KVMATRIX_TESTBED === 'off') {
    project.provide('testbedUnavailable', 'KVMATRIX_TESTBED=off');
    return;
  }
  if (!(await runNeedsControlPlane(project))) {
    project.provide('testbedUnavailable', 'no test file of this run uses the control plane');
    return;
  }
  const started = Date.now();
  try {
    plane = await startControlPlane({ progress: createLineProgress('testbed') });
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
