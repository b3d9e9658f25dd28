import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { cdiCr, kubevirtCr, renderLocalPath, tolerateSlowStart } from './lab-manifests.ts';

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

describe('tolerateSlowStart', () => {
  it("gives virt-operator's probes 30 failures and one replica, and leaves other objects alone", () => {
    const manifest = [
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: virt-operator}\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n      - name: virt-operator\n        livenessProbe: {failureThreshold: 3}\n        readinessProbe: {failureThreshold: 3}\n',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: other}\nspec: {replicas: 2}\n',
    ].join('---\n');
    const docs = parseAllDocuments(tolerateSlowStart(manifest)).map((d) => d.toJS());
    expect(docs[0].spec.replicas).toBe(1);
    expect(docs[0].spec.template.spec.containers[0].livenessProbe.failureThreshold).toBe(30);
    expect(docs[0].spec.template.spec.containers[0].readinessProbe.failureThreshold).toBe(30);
    expect(docs[1].spec.replicas).toBe(2);
  });
});
