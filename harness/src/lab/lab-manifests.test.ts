import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { cdiCr, kubevirtCr, renderLocalPath } from './lab-manifests.ts';

const localPathDir = fileURLToPath(new URL('test/fixtures/local-path', import.meta.url));

describe('renderLocalPath', () => {
  it('runs the provisioner and its helper pod from the mirror and makes its class the default', async () => {
    const text = await renderLocalPath({
      binDir: '/nonexistent',
      kubevirtDir: '/nonexistent',
      cdiDir: '/nonexistent',
      localPathDir,
      registry: '10.88.0.1:5000',
    });
    const docs = parseAllDocuments(text).map((d) => d.toJS());
    const deployment = docs.find((d) => d.kind === 'Deployment');
    const image = '10.88.0.1:5000/kvmatrix-lab/local-path-provisioner:v0.0.30';
    expect(deployment.spec.template.spec.containers[0]).toMatchObject({
      image,
      imagePullPolicy: 'IfNotPresent',
    });
    const sc = docs.find((d) => d.kind === 'StorageClass');
    expect(sc.metadata.annotations['storageclass.kubernetes.io/is-default-class']).toBe('true');
    const config = docs.find((d) => d.kind === 'ConfigMap');
    expect(config.data['helperPod.yaml']).toContain(`image: ${image}`);
    expect(config.data['helperPod.yaml']).not.toContain('image: busybox');
  });
});

describe('the custom resources', () => {
  it('switch KubeVirt to software emulation and let CDI pull from the plain-HTTP mirror', () => {
    expect(kubevirtCr()).toMatchObject({
      spec: { configuration: { developerConfiguration: { useEmulation: true } } },
    });
    expect(cdiCr('10.88.0.1:5000')).toMatchObject({
      spec: { config: { insecureRegistries: ['10.88.0.1:5000'] } },
    });
  });
});
