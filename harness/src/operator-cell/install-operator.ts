import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../host/paths.ts';
import type { MgmtKubectl } from './mgmt-kubectl.ts';
import { buildOperatorImage, PUBLISH_KUBECONFIG_PLAYBOOK, publishOperatorImage } from './operator-image.ts';
import { customizeOperatorManifests, type KubeObject, OPERATOR_NAMESPACE } from './operator-manifests.ts';
import type { OperatorStepContext } from './operator-step-context.ts';

// The operator as shipped in operator/config (CRDs, RBAC, Deployment), running the image built
// from this checkout and published into the mirror.
export async function installOperator(
  ctx: OperatorStepContext,
  k: MgmtKubectl,
  note: (line: string) => void,
): Promise<{ ok: true } | { ok: false; message: string }> {
  const image = await buildOperatorImage(note);
  const ref = `${ctx.registry}/${await publishOperatorImage(image)}`;
  note(`operator image ${ref}`);
  const docs = customizeOperatorManifests(await readOperatorConfig(), {
    image: ref,
    publishKubeconfigPlaybook: PUBLISH_KUBECONFIG_PLAYBOOK,
  });
  const crds = docs.filter((d) => d.kind === 'CustomResourceDefinition');
  await k.apply(crds);
  await k.run([
    'wait',
    '--for=condition=Established',
    '--timeout=120s',
    ...crds.map((c) => `crd/${c.metadata.name}`),
  ]);
  await k.apply(docs.filter((d) => d.kind !== 'CustomResourceDefinition'));
  note('operator applied; waiting for its Deployment');
  const timeout = Math.max(60, Math.round(ctx.timeoutMs / 1000) - 60);
  try {
    await k.run(
      [
        'rollout',
        'status',
        '-n',
        OPERATOR_NAMESPACE,
        'deployment/kvmatrix-operator',
        `--timeout=${timeout}s`,
      ],
      {
        timeoutMs: (timeout + 30) * 1000,
      },
    );
  } catch (error) {
    return { ok: false, message: `the operator Deployment did not become available: ${String(error)}` };
  }
  return { ok: true };
}

// operator/config's resources, in the kustomization's order.
export async function readOperatorConfig(): Promise<KubeObject[]> {
  const dir = path.join(repoRoot, 'operator', 'config');
  const kustomization = parseAllDocuments(
    await readFile(path.join(dir, 'kustomization.yaml'), 'utf8'),
  )[0]?.toJS() as {
    resources: string[];
  };
  const docs: KubeObject[] = [];
  for (const file of kustomization.resources) {
    for (const doc of parseAllDocuments(await readFile(path.join(dir, file), 'utf8'))) {
      const value = doc.toJS() as KubeObject | null;
      if (value) docs.push(value);
    }
  }
  return docs;
}
