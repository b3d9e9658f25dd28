import { access } from 'node:fs/promises';
import path from 'node:path';
import { artifactDir } from '../artifacts/build-artifacts.ts';
import { startMirrorRelay, writeTransferReport } from '../artifacts/mirror-relay.ts';
import { registryStorage } from '../artifacts/push-images.ts';
import { startRegistry } from '../artifacts/registry.ts';
import { MirrorFiles, type RemoteMirror } from '../artifacts/remote-mirror.ts';
import { findRuntimeRelease } from '../artifacts/runtime-versions.ts';
import { serveArtifacts } from '../artifacts/serve.ts';
import { requireE2eArtifacts } from '../checks/e2e-runner.ts';
import { buildProbeImage, publishProbeImage } from '../checks/probe-image.ts';
import { KvError } from '../contracts/errors.ts';
import { claimPort } from '../host/ports.ts';
import { artifactVersions } from './observe-versions.ts';
import type { ArtifactEndpoints } from './run-cell.ts';
import type { RunnableCell } from './runnable-cell.ts';

// The Kubernetes versions a cell deploys: its own, and any a step deploys (an upgrade's N-1).
export function cellVersions(cell: RunnableCell): string[] {
  const versions = [cell.vars.kube_version, ...cell.steps.map((s) => s.vars?.kube_version)];
  return [...new Set(versions.filter((v): v is string => typeof v === 'string'))];
}

// The container runtimes a cell installs from the artifact set (containerd2), none for Debian's.
export function cellRuntimes(cell: RunnableCell): string[] {
  const runtime = cell.vars.container_runtime;
  return typeof runtime === 'string' && findRuntimeRelease(runtime) ? [runtime] : [];
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
    runtimes: cellRuntimes(cell),
    ...(previous ? { filePort: previous.filePort, registryPort: previous.registryPort } : {}),
  });
  return {
    filePort: Number(new URL(server.fileUrl).port),
    registryPort: Number(server.registry.split(':').pop()),
    close: () => server.close(),
  };
}

// A run against a shared mirror (KVMATRIX_ARTIFACT_URL, KVMATRIX_REGISTRY): the same endpoints
// on the host, relaying to the shared mirror (artifacts/mirror-relay.ts), plus the job's own
// read-only registry for the probe image it builds. `transferReport` gets the bytes moved.
export async function startRemoteRunArtifacts(
  remote: RemoteMirror,
  files: MirrorFiles,
  transferReport: string,
  previous?: { filePort: number; registryPort: number },
): Promise<ArtifactEndpoints> {
  const local = await startRegistry({
    storage: registryStorage(),
    host: '127.0.0.1',
    port: await claimPort(undefined, 'the job registry'),
    readonly: true,
  });
  const relay = await startMirrorRelay({
    remote,
    files,
    host: '0.0.0.0',
    localRegistry: local.address,
    ...(previous ? { filePort: previous.filePort, registryPort: previous.registryPort } : {}),
  }).catch(async (error: unknown) => {
    await local.close();
    throw error;
  });
  return {
    filePort: relay.filePort,
    registryPort: relay.registryPort,
    close: async () => {
      await relay.close();
      await local.close();
      await writeTransferReport(transferReport, remote, relay.counter);
    },
  };
}

// The artifact services of one run: the local set served by the run itself, or a shared mirror
// when the environment names one. Checked against the set's manifest either way.
export function runArtifactServices(
  cell: RunnableCell,
  options: { remote?: RemoteMirror; transferReport: string },
): {
  start: (previous?: { filePort: number; registryPort: number }) => Promise<ArtifactEndpoints>;
  prepare: () => Promise<{ kubectl: string; probeImage: string; versions: Record<string, string> }>;
} {
  const { remote } = options;
  if (!remote) {
    return {
      start: (previous) => startRunArtifacts(cell, previous),
      prepare: () => prepareRunPrerequisites(cell),
    };
  }
  let files: Promise<MirrorFiles> | undefined;
  const open = () => {
    files ??= MirrorFiles.open(remote, cellVersions(cell));
    return files;
  };
  return {
    start: async (previous) =>
      startRemoteRunArtifacts(remote, await open(), options.transferReport, previous),
    prepare: async () => {
      const mirror = await open();
      const version = String(cell.vars.kube_version ?? '');
      await mirror.ensure(version, 'bin/kubectl');
      if (cell.steps.some((step) => step.checks.some((c) => c === 'e2e' || c === 'conformance'))) {
        await Promise.all(['bin/e2e.test', 'bin/ginkgo'].map((f) => mirror.ensure(version, f)));
      }
      return prepareRunPrerequisites(cell);
    },
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
