import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { KvError } from '../../contracts/errors.ts';
import type { MachineSpec } from '../../contracts/machine.ts';
import { LABEL_MACHINE } from '../../host/labels.ts';
import type { KubeObject } from './api-resources.ts';
import { renderUserData } from './cloud-init.ts';
import { toDnsLabel } from './identity.ts';

export interface RenderParams {
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  publicKey: string;
  storageClass?: string;
  imageNamespace?: string;
  instancetype?: string;
}

// A template that does not have the shape kvmatrix fills in: a configuration error (exit 2).
export class TemplateError extends KvError {
  constructor(file: string, keyPath: string, expected: string) {
    super('USAGE', `${file}: ${keyPath}: expected ${expected}`, {
      hint: 'compare with vm-templates/os/debian12.yaml; kvmatrix fills that shape in',
    });
  }
}

export async function loadVmTemplate(
  templatesDir: string,
  os: string,
): Promise<{ file: string; template: KubeObject }> {
  const file = path.join(templatesDir, `${os}.yaml`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new KvError('NOT_FOUND', `no VirtualMachine template for OS ${JSON.stringify(os)}: ${file}`, {
      hint: `add ${path.basename(file)} to ${templatesDir} (copy debian12.yaml)`,
      cause,
    });
  }
  const template = parse(text) as KubeObject;
  checkTemplate(file, template);
  return { file, template };
}

// The root disk's DataVolume is named after the VM; the name also keys the watches.
export function rootDiskName(vmName: string): string {
  return `${vmName}-rootdisk`;
}

export function vmNameFor(machine: MachineSpec): string {
  return toDnsLabel(machine.name, 50);
}

// Fills a per-OS template in for one machine. Pure: the same inputs give the same object.
export function renderVirtualMachine(
  file: string,
  template: KubeObject,
  machine: MachineSpec,
  params: RenderParams,
): KubeObject {
  checkTemplate(file, template);
  const vm = structuredClone(template) as KubeObject & { spec: VmSpec };
  const name = vmNameFor(machine);
  const disk = rootDiskName(name);
  const labels = { ...(vm.metadata?.labels ?? {}), ...params.labels, [LABEL_MACHINE]: name };
  vm.metadata = { name, namespace: params.namespace, labels };
  if (params.annotations) vm.metadata.annotations = { ...params.annotations };

  const dvt = vm.spec.dataVolumeTemplates[0] as DataVolumeTemplate;
  dvt.metadata = { name: disk, labels: { ...params.labels, [LABEL_MACHINE]: name } };
  dvt.spec.storage ??= {};
  dvt.spec.storage.resources = { requests: { storage: `${machine.diskGiB}Gi` } };
  if (params.storageClass) dvt.spec.storage.storageClassName = params.storageClass;
  if (params.imageNamespace && dvt.spec.sourceRef) dvt.spec.sourceRef.namespace = params.imageNamespace;

  const podTemplate = vm.spec.template;
  podTemplate.metadata = {
    ...(podTemplate.metadata ?? {}),
    labels: { ...(podTemplate.metadata?.labels ?? {}), ...labels },
  };
  const domain = podTemplate.spec.domain;
  if (params.instancetype) {
    vm.spec.instancetype = { kind: 'VirtualMachineClusterInstancetype', name: params.instancetype };
    delete domain.cpu;
    delete domain.memory;
    delete domain.resources;
  } else {
    domain.cpu = { ...(domain.cpu ?? {}), cores: machine.cpus };
    domain.memory = { ...(domain.memory ?? {}), guest: `${machine.memoryMiB}Mi` };
  }
  podTemplate.spec.hostname = name;
  for (const volume of podTemplate.spec.volumes) {
    if (volume.name === 'rootdisk') volume.dataVolume = { name: disk };
    if (volume.name === 'cloudinitdisk')
      volume.cloudInitNoCloud = { userData: renderUserData(name, params.publicKey) };
  }
  return vm;
}

interface DataVolumeTemplate {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec: {
    sourceRef?: { kind: string; name: string; namespace?: string };
    storage?: { resources?: unknown; storageClassName?: string };
  };
}

interface VmSpec {
  dataVolumeTemplates: unknown[];
  instancetype?: { kind: string; name: string };
  template: {
    metadata?: { labels?: Record<string, string> };
    spec: {
      hostname?: string;
      domain: { cpu?: Record<string, unknown>; memory?: Record<string, unknown>; resources?: unknown };
      volumes: Array<{
        name: string;
        dataVolume?: { name: string };
        cloudInitNoCloud?: { userData: string };
      }>;
    };
  };
}

// The DataSource a template clones its root disk from (name and namespace, as written).
export function templateDataSource(template: KubeObject): { name: string; namespace?: string } | undefined {
  const dvt = (template.spec?.dataVolumeTemplates as DataVolumeTemplate[] | undefined)?.[0];
  const ref = dvt?.spec.sourceRef;
  if (ref?.kind !== 'DataSource') return undefined;
  return ref.namespace ? { name: ref.name, namespace: ref.namespace } : { name: ref.name };
}

function checkTemplate(file: string, template: KubeObject): void {
  if (template?.apiVersion !== 'kubevirt.io/v1' || template.kind !== 'VirtualMachine') {
    throw new TemplateError(file, 'apiVersion/kind', 'kubevirt.io/v1 VirtualMachine');
  }
  const spec = template.spec as Partial<VmSpec> | undefined;
  const dvts = spec?.dataVolumeTemplates;
  if (!Array.isArray(dvts) || dvts.length !== 1) {
    throw new TemplateError(file, 'spec.dataVolumeTemplates', 'exactly one entry (the root disk)');
  }
  const dvt = dvts[0] as Partial<DataVolumeTemplate>;
  if (!dvt?.spec || (!dvt.spec.sourceRef && !(dvt.spec as { source?: unknown }).source)) {
    throw new TemplateError(
      file,
      'spec.dataVolumeTemplates[0].spec',
      'a sourceRef (DataSource) or a source (PVC clone)',
    );
  }
  const volumes = spec?.template?.spec?.volumes;
  if (!Array.isArray(volumes)) throw new TemplateError(file, 'spec.template.spec.volumes', 'a list');
  for (const wanted of ['rootdisk', 'cloudinitdisk']) {
    if (!volumes.some((v) => v?.name === wanted)) {
      throw new TemplateError(file, 'spec.template.spec.volumes', `a volume named ${wanted}`);
    }
  }
  if (!spec?.template?.spec?.domain) throw new TemplateError(file, 'spec.template.spec.domain', 'a mapping');
}
