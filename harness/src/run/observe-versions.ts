import { CoreV1Api, KubeConfig, type V1NodeSystemInfo } from '@kubernetes/client-node';
import { execa } from 'execa';
import { artifactDir } from '../artifacts/build-artifacts.ts';
import { readManifest } from '../artifacts/manifest.ts';
import { repoRoot } from '../host/paths.ts';

// The versions of everything a cell ran, for its record and the release report: the artifact
// set's components (built from source at these versions), the harness commit, and what the
// nodes themselves report once the cluster is up (kubelet, runtime, OS image, kernel).

export async function artifactVersions(kubeVersion: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const manifest = await readManifest(artifactDir(kubeVersion)).catch(() => undefined);
  if (manifest) {
    for (const [name, version] of Object.entries(manifest.release)) {
      if (name !== 'kubernetes' && typeof version === 'string') out[name] = version;
    }
    const go = Object.values(manifest.components ?? {}).find((c) => c.builtWith?.startsWith('go'));
    if (go?.builtWith) out.go = go.builtWith.replace(/^go/, '');
  }
  const commit = await execa('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: repoRoot, reject: false });
  if (commit.exitCode === 0 && commit.stdout) out.kvmatrix = commit.stdout.trim();
  return out;
}

// Distinct values over the nodes, joined: a cell caught half-upgraded shows both versions.
export async function observeNodeVersions(kubeconfigFile: string): Promise<Record<string, string>> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigFile);
  const nodes = await Promise.race([
    kc.makeApiClient(CoreV1Api).listNode(),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('listing nodes timed out')), 10_000).unref(),
    ),
  ]);
  const pick = (f: (i: V1NodeSystemInfo | undefined) => string | undefined) =>
    [...new Set(nodes.items.map((n) => f(n.status?.nodeInfo)).filter((v): v is string => !!v))]
      .sort()
      .join(', ');
  const out: Record<string, string> = {
    kubelet: pick((i) => i?.kubeletVersion),
    'container-runtime': pick((i) => i?.containerRuntimeVersion),
    'os-image': pick((i) => i?.osImage),
    kernel: pick((i) => i?.kernelVersion),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== ''));
}
