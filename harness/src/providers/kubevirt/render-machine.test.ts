import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MachineSpec } from '../../contracts/machine.ts';
import { repoRoot } from '../../host/paths.ts';
import { identityLabels } from './identity.ts';
import { loadVmTemplate, renderVirtualMachine, templateDataSource } from './render-machine.ts';
import { crdFiles, loadCrds, validatorFor } from './test/crd-schemas.ts';

const templatesDir = path.join(repoRoot, 'vm-templates', 'os');
const machine: MachineSpec = {
  name: 'cp-1',
  roles: ['control-plane'],
  os: 'debian12',
  cpus: 2,
  memoryMiB: 3072,
  diskGiB: 25,
};
const id = { runId: 'p42-j7', cell: 'debian12-1.34-containerd-calico-ha-deploy', pipeline: '42', job: '7' };
const params = {
  namespace: 'kvm-p42-j7',
  labels: identityLabels(id),
  publicKey: 'ssh-ed25519 AAAAC3Nza test@kvmatrix\n',
};

// biome-ignore lint/suspicious/noExplicitAny: walking rendered YAML
type Any = any;

describe('renderVirtualMachine', () => {
  it('fills a per-OS template with the machine, its labels, its disk and its SSH key', async () => {
    const { file, template } = await loadVmTemplate(templatesDir, 'debian12');
    const vm: Any = renderVirtualMachine(file, template, machine, { ...params, storageClass: 'ceph-rbd' });
    expect(vm.metadata).toMatchObject({ name: 'cp-1', namespace: 'kvm-p42-j7' });
    expect(vm.metadata.labels).toMatchObject({
      'kvmatrix.io/pipeline': '42',
      'kvmatrix.io/job': '7',
      'kvmatrix.io/machine': 'cp-1',
    });
    const dvt = vm.spec.dataVolumeTemplates[0];
    expect(dvt.metadata.name).toBe('cp-1-rootdisk');
    expect(dvt.spec.sourceRef).toEqual({
      kind: 'DataSource',
      name: 'kvmatrix-debian12',
      namespace: 'kvmatrix-images',
    });
    expect(dvt.spec.storage).toEqual({
      resources: { requests: { storage: '25Gi' } },
      storageClassName: 'ceph-rbd',
    });
    expect(vm.spec.template.spec.domain.cpu.cores).toBe(2);
    expect(vm.spec.template.spec.domain.memory.guest).toBe('3072Mi');
    const volumes = vm.spec.template.spec.volumes;
    expect(volumes.find((v: Any) => v.name === 'rootdisk').dataVolume.name).toBe('cp-1-rootdisk');
    const userData: string = volumes.find((v: Any) => v.name === 'cloudinitdisk').cloudInitNoCloud.userData;
    expect(userData.startsWith('#cloud-config\n')).toBe(true);
    expect(userData).toContain('ssh-ed25519 AAAAC3Nza test@kvmatrix');
    expect(userData).toContain('disable_root: false');
    expect(vm.spec.runStrategy).toBe('Once');
  });

  it('sizes by an instancetype instead of the cell when one is configured', async () => {
    const { file, template } = await loadVmTemplate(templatesDir, 'ubuntu2404');
    const vm: Any = renderVirtualMachine(
      file,
      template,
      { ...machine, os: 'ubuntu2404' },
      { ...params, instancetype: 'u1.medium' },
    );
    expect(vm.spec.instancetype).toEqual({ kind: 'VirtualMachineClusterInstancetype', name: 'u1.medium' });
    expect(vm.spec.template.spec.domain.cpu).toBeUndefined();
    expect(vm.spec.template.spec.domain.memory).toBeUndefined();
  });

  it('renders objects the KubeVirt and CDI CRD schemas accept, for every OS', async () => {
    const crds = await loadCrds(crdFiles.kubevirt, crdFiles.cdi);
    const validateVm = validatorFor(crds, 'VirtualMachine', 'v1');
    const validateDv = validatorFor(crds, 'DataVolume', 'v1beta1');
    for (const os of ['debian12', 'debian13', 'ubuntu2404']) {
      const { file, template } = await loadVmTemplate(templatesDir, os);
      for (const extra of [{}, { instancetype: 'u1.medium' }]) {
        const vm: Any = renderVirtualMachine(file, template, { ...machine, os }, { ...params, ...extra });
        expect(validateVm(vm), `${os}: ${JSON.stringify(validateVm.errors)}`).toBe(true);
        const dv = {
          apiVersion: 'cdi.kubevirt.io/v1beta1',
          kind: 'DataVolume',
          ...vm.spec.dataVolumeTemplates[0],
        };
        expect(validateDv(dv), `${os}: ${JSON.stringify(validateDv.errors)}`).toBe(true);
      }
    }
  });

  it('is caught by the schema when a field is misspelt', async () => {
    const crds = await loadCrds(crdFiles.kubevirt);
    const validateVm = validatorFor(crds, 'VirtualMachine', 'v1');
    const { file, template } = await loadVmTemplate(templatesDir, 'debian12');
    const vm: Any = renderVirtualMachine(file, template, machine, params);
    vm.spec.template.spec.domain.cpu.coars = 2;
    expect(validateVm(vm)).toBe(false);
    expect(JSON.stringify(validateVm.errors)).toContain('coars');
  });

  it('names the file and key path of a template without a root disk', () => {
    const template = {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachine',
      spec: { template: { spec: { domain: {}, volumes: [] } } },
    };
    expect(() => renderVirtualMachine('os/broken.yaml', template, machine, params)).toThrow(
      'os/broken.yaml: spec.dataVolumeTemplates: expected exactly one entry (the root disk)',
    );
  });

  it('says which OS has no template', async () => {
    await expect(loadVmTemplate(templatesDir, 'plan9')).rejects.toThrow(
      /no VirtualMachine template for OS "plan9"/,
    );
  });

  it('reads the golden image a template clones from', async () => {
    const { template } = await loadVmTemplate(templatesDir, 'debian13');
    expect(templateDataSource(template)).toEqual({ name: 'kvmatrix-debian13', namespace: 'kvmatrix-images' });
  });
});
