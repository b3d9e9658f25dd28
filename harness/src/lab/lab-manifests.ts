import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parseAllDocuments, stringify } from 'yaml';
import { KvError } from '../contracts/errors.ts';
import { labVersions } from './lab-versions.ts';

// The lab's manifests, rendered the way each upstream release renders its own: KubeVirt's
// manifest-templator over manifests/release/kubevirt-operator.yaml.in (hack/build-manifests.sh:
// --process-files, then --process-vars), CDI's manifest-generator over
// manifests/templates/release/cdi-operator.yaml.in (hack/build/resource-generator.sh), both with
// the mirror as image prefix; then the lab's own settings on the custom resources.

export interface ManifestInput {
  binDir: string;
  kubevirtDir: string;
  cdiDir: string;
  localPathDir: string;
  // host:port of the mirror as the nodes reach it.
  registry: string;
}

async function run(file: string, args: string[], what: string): Promise<string> {
  const result = await execa(file, args, { reject: false, all: true, maxBuffer: 64 * 1024 * 1024 });
  if (result.exitCode !== 0) {
    throw new KvError(
      'TOOL_FAILED',
      `${what} failed (exit ${result.exitCode}): ${String(result.all).slice(-800)}`,
    );
  }
  return String(result.stdout);
}

export async function renderKubevirtOperator(input: ManifestInput): Promise<string> {
  const templator = path.join(input.binDir, 'manifest-templator');
  const tag = `v${labVersions.kubevirt.version}`;
  const work = await mkdtemp(path.join(os.tmpdir(), 'kvm-lab-kubevirt-'));
  try {
    const infile = path.join(input.kubevirtDir, 'manifests/release/kubevirt-operator.yaml.in');
    const included = await run(
      templator,
      [
        '--process-files',
        `--generated-manifests-dir=${input.kubevirtDir}/manifests/generated/`,
        `--input-file=${infile}`,
      ],
      'manifest-templator --process-files',
    );
    const stage = path.join(work, 'kubevirt-operator.yaml.in');
    await writeFile(stage, included);
    const rendered = await run(
      templator,
      [
        '--process-vars',
        `--input-file=${stage}`,
        '--namespace=kubevirt',
        '--cdi-namespace=cdi',
        `--container-prefix=${input.registry}/kubevirt`,
        `--container-tag=${tag}`,
        '--image-pull-policy=IfNotPresent',
        '--verbosity=2',
        '--infra-replicas=1',
        '--csv-namespace=placeholder',
        `--csv-version=${labVersions.kubevirt.version}`,
        '--package-name=kubevirt-operator',
        // Read unconditionally (for the OLM bundle), as hack/build-manifests.sh passes it.
        `--kubevirt-logo-path=${path.join(input.kubevirtDir, 'assets/kubevirt_logo.png')}`,
      ],
      'manifest-templator --process-vars',
    );
    return tolerateSlowStart(rendered);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

// virt-operator parses KubeVirt's generated CRD validations at start: 5-6 s of CPU, 37 s of wall
// time at a load of 50 on these 2-core hosts, beyond its probes' 5 s + 3 x 10 s, so the kubelet
// killed it before it ever listened. The lab's operator gets 30 failures (5 min) to start, and
// one replica (there is one node to put it on).
export function tolerateSlowStart(manifest: string): string {
  interface Probe {
    failureThreshold?: number;
  }
  interface Doc {
    kind?: string;
    metadata?: { name?: string };
    spec?: {
      replicas?: number;
      template?: { spec?: { containers?: Array<{ livenessProbe?: Probe; readinessProbe?: Probe }> } };
    };
  }
  const docs = parseAllDocuments(manifest)
    .map((doc) => doc.toJS() as Doc | null)
    .filter((doc): doc is Doc => Boolean(doc));
  for (const doc of docs) {
    if (doc.kind !== 'Deployment' || doc.metadata?.name !== 'virt-operator' || !doc.spec) continue;
    doc.spec.replicas = 1;
    for (const container of doc.spec.template?.spec?.containers ?? []) {
      if (container.livenessProbe) container.livenessProbe.failureThreshold = 30;
      if (container.readinessProbe) container.readinessProbe.failureThreshold = 30;
    }
  }
  return docs.map((doc) => `---\n${stringify(doc)}`).join('');
}

// The KubeVirt CR of the lab: software emulation (these hosts' /dev/kvm runs no stock guest
// kernel), one replica of each infrastructure component (one or two nodes).
export function kubevirtCr(): Record<string, unknown> {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'KubeVirt',
    metadata: { name: 'kubevirt', namespace: 'kubevirt' },
    spec: {
      imagePullPolicy: 'IfNotPresent',
      infra: { replicas: 1 },
      configuration: { developerConfiguration: { useEmulation: true } },
      workloadUpdateStrategy: {},
    },
  };
}

export async function renderCdiOperator(input: ManifestInput): Promise<string> {
  const generator = path.join(input.binDir, 'cdi-manifest-generator');
  const tag = `v${labVersions.cdi.version}`;
  const prefix = `${input.registry}/cdi`;
  const common = [
    `-docker-repo=${prefix}`,
    `-docker-tag=${tag}`,
    `-operator-version=${tag}`,
    '-deploy-cluster-resources=true',
    `-operator-image=${prefix}/cdi-operator:${tag}`,
    `-controller-image=${prefix}/cdi-controller:${tag}`,
    `-importer-image=${prefix}/cdi-importer:${tag}`,
    `-cloner-image=${prefix}/cdi-cloner:${tag}`,
    `-apiserver-image=${prefix}/cdi-apiserver:${tag}`,
    `-uploadproxy-image=${prefix}/cdi-uploadproxy:${tag}`,
    `-uploadserver-image=${prefix}/cdi-uploadserver:${tag}`,
    `-ovirt-populator-image=${prefix}/cdi-importer:${tag}`,
    '-verbosity=1',
    '-pull-policy=IfNotPresent',
    '-namespace=cdi',
  ];
  const work = await mkdtemp(path.join(os.tmpdir(), 'kvm-lab-cdi-'));
  try {
    const everything = await run(
      generator,
      ['-resource-type=operator', '-resource-group=everything', ...common],
      'cdi manifest-generator (operator resources)',
    );
    const generated = path.join(work, 'generated');
    await mkdir(generated, { recursive: true });
    await writeFile(path.join(generated, 'operator-everything.yaml.in'), everything.replace(/\n+$/, '\n'));
    return await run(
      generator,
      [
        `-template=${path.join(input.cdiDir, 'manifests/templates/release/cdi-operator.yaml.in')}`,
        ...common,
        '-cr-name=cdi',
        `-generated-manifests-path=${generated}`,
      ],
      'cdi manifest-generator (cdi-operator.yaml)',
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

// CDI's release CR (manifests/templates/release/cdi-cr.yaml.in), with the mirror as an insecure
// (plain HTTP) registry for registry imports.
export function cdiCr(registry: string): Record<string, unknown> {
  return {
    apiVersion: 'cdi.kubevirt.io/v1beta1',
    kind: 'CDI',
    metadata: { name: 'cdi' },
    spec: {
      config: {
        featureGates: ['HonorWaitForFirstConsumer', 'WebhookPvcRendering'],
        insecureRegistries: [registry],
      },
      imagePullPolicy: 'IfNotPresent',
      infra: { nodeSelector: { 'kubernetes.io/os': 'linux' } },
      workload: { nodeSelector: { 'kubernetes.io/os': 'linux' } },
    },
  };
}

// The provisioner's own deploy/local-path-storage.yaml with the lab's image (the helper pod runs
// the same image's busybox) and its class as the cluster default.
export async function renderLocalPath(input: ManifestInput): Promise<string> {
  const text = await readFile(path.join(input.localPathDir, 'deploy/local-path-storage.yaml'), 'utf8');
  const image = `${input.registry}/kvmatrix-lab/local-path-provisioner:v${labVersions.localPath}`;
  interface Doc {
    kind?: string;
    metadata?: { annotations?: Record<string, string> };
    spec?: { template?: { spec?: { containers?: Array<{ image?: string; imagePullPolicy?: string }> } } };
    data?: Record<string, string>;
  }
  const out = parseAllDocuments(text)
    .map((doc) => doc.toJS() as Doc | null)
    .filter((doc): doc is Doc => Boolean(doc));
  for (const doc of out) {
    for (const container of doc.kind === 'Deployment' ? (doc.spec?.template?.spec?.containers ?? []) : []) {
      container.image = image;
      container.imagePullPolicy = 'IfNotPresent';
    }
    if (doc.kind === 'StorageClass') {
      doc.metadata = {
        ...doc.metadata,
        annotations: { ...doc.metadata?.annotations, 'storageclass.kubernetes.io/is-default-class': 'true' },
      };
    }
    const helper = doc.kind === 'ConfigMap' ? doc.data?.['helperPod.yaml'] : undefined;
    if (doc.data && helper) doc.data['helperPod.yaml'] = helper.replace(/image: \S+/, `image: ${image}`);
  }
  return out.map((doc) => `---\n${stringify(doc)}`).join('');
}
