import { existsSync } from 'node:fs';
import path from 'node:path';
import { artifactDir } from '../artifacts/build-artifacts.ts';
import { findRelease } from '../artifacts/versions.ts';
import { KvError } from '../contracts/errors.ts';

// Where the testbed takes its binaries from: KUBEBUILDER_ASSETS (the envtest layout: etcd,
// kube-apiserver, kubectl in one directory) when set, else the artifact set of the requested
// Kubernetes version built by `kvmatrix artifacts build`.

export interface ControlPlaneBinaries {
  etcd: string;
  kubeApiserver: string;
  // Absent in a plain envtest directory: then the testbed runs without controllers.
  kubeControllerManager: string | undefined;
  source: string;
}

export function findControlPlaneBinaries(
  kubernetes: string,
  env: NodeJS.ProcessEnv = process.env,
): ControlPlaneBinaries {
  const assets = env.KUBEBUILDER_ASSETS;
  if (assets) {
    const need = ['etcd', 'kube-apiserver'].filter((name) => !existsSync(path.join(assets, name)));
    if (need.length) {
      throw new KvError('NOT_FOUND', `KUBEBUILDER_ASSETS=${assets} has no ${need.join(' or ')}`, {
        hint: 'point KUBEBUILDER_ASSETS at a directory holding etcd and kube-apiserver (envtest layout), or unset it',
      });
    }
    const kcm = path.join(assets, 'kube-controller-manager');
    return {
      etcd: path.join(assets, 'etcd'),
      kubeApiserver: path.join(assets, 'kube-apiserver'),
      kubeControllerManager: existsSync(kcm) ? kcm : undefined,
      source: `KUBEBUILDER_ASSETS=${assets}`,
    };
  }
  const release = findRelease(kubernetes);
  const version = release?.kubernetes ?? kubernetes.replace(/^v/, '');
  const bin = path.join(artifactDir(version), 'bin');
  const missing = ['etcd', 'kube-apiserver', 'kube-controller-manager'].filter(
    (name) => !existsSync(path.join(bin, name)),
  );
  if (missing.length) {
    throw new KvError('NOT_FOUND', `the test control plane needs ${missing.join(', ')} in ${bin}`, {
      hint: `build them: npx kvmatrix artifacts build --kubernetes ${version} --only kubernetes,etcd (or set KUBEBUILDER_ASSETS)`,
    });
  }
  return {
    etcd: path.join(bin, 'etcd'),
    kubeApiserver: path.join(bin, 'kube-apiserver'),
    kubeControllerManager: path.join(bin, 'kube-controller-manager'),
    source: bin,
  };
}
