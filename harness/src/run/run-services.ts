import { access } from 'node:fs/promises';
import path from 'node:path';
import { artifactDir } from '../artifacts/build-artifacts.ts';
import { serveArtifacts } from '../artifacts/serve.ts';
import { requireE2eArtifacts } from '../checks/e2e-runner.ts';
import { buildProbeImage, publishProbeImage } from '../checks/probe-image.ts';
import { KvError } from '../contracts/errors.ts';
import { artifactVersions } from './observe-versions.ts';
import type { ArtifactEndpoints } from './run-cell.ts';
import type { RunnableCell } from './runnable-cell.ts';

// The Kubernetes versions a cell deploys: its own, and any a step deploys (an upgrade's N-1).
export function cellVersions(cell: RunnableCell): string[] {
  const versions = [cell.vars.kube_version, ...cell.steps.map((s) => s.vars?.kube_version)];
  return [...new Set(versions.filter((v): v is string => typeof v === 'string'))];
}

// Starts the offline mirror (file server and registry) on all host addresses, so machines reach
// it through their network's gateway. A resumed run asks for the ports it used before.
export async function startRunArtifacts(
  cell: RunnableCell,
  previous?: { filePort: number; registryPort: number },
): Promise<ArtifactEndpoints> {
  const server = await serveArtifacts({
    host: '0.0.0.0',
    versions: cellVersions(cell),
    ...(previous ? { filePort: previous.filePort, registryPort: previous.registryPort } : {}),
  });
  return {
    filePort: Number(new URL(server.fileUrl).port),
    registryPort: Number(server.registry.split(':').pop()),
    close: () => server.close(),
  };
}

// What the checks need: kubectl of the cell's version on the host, and the probe image in the
// mirror's registry storage (its repository:tag).
export async function prepareRunPrerequisites(
  cell: RunnableCell,
): Promise<{ kubectl: string; probeImage: string; versions: Record<string, string> }> {
  const version = String(cell.vars.kube_version ?? '');
  const kubectl = path.join(artifactDir(version), 'bin', 'kubectl');
  await access(kubectl).catch(() => {
    throw new KvError('TOOL_MISSING', `kubectl ${version} is not in the artifact set (${kubectl})`, {
      hint: `npx kvmatrix artifacts build --kubernetes ${version}`,
    });
  });
  const suites = cell.steps.some((step) => step.checks.some((c) => c === 'e2e' || c === 'conformance'));
  if (suites) await requireE2eArtifacts(version);
  const probeImage = await publishProbeImage(await buildProbeImage());
  return { kubectl, probeImage, versions: await artifactVersions(version) };
}
