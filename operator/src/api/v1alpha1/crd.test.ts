import { readdirSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { allKinds, buildCrd } from './crd.ts';
import { renderCrds } from './render-crds.ts';

const configDir = new URL('../../../config/', import.meta.url);

describe('CRDs', () => {
  it('in operator/config/crd are exactly what the TypeScript definitions generate', () => {
    const onDisk = readdirSync(new URL('crd/', configDir)).filter((f) => f.endsWith('.yaml'));
    const generated = renderCrds();
    expect(onDisk.sort()).toEqual([...generated.keys()].sort());
    for (const [name, text] of generated) {
      expect(
        readFileSync(new URL(`crd/${name}`, configDir), 'utf8'),
        `${name} drifted: run npm run operator:crds`,
      ).toBe(text);
    }
  });

  it('have a status subresource and printer columns', () => {
    for (const def of allKinds) {
      const version = (buildCrd(def).spec as { versions: Array<Record<string, unknown>> }).versions[0];
      expect(version?.subresources).toEqual({ status: {} });
      expect((version?.additionalPrinterColumns as unknown[] | undefined)?.length).toBeGreaterThan(2);
    }
  });

  it('accept the samples and reject a Machine without an address', () => {
    const ajv = new Ajv({ strict: false });
    ajv.addFormat('date-time', true);
    const validators = new Map(
      allKinds.map((def) => {
        const crd = buildCrd(def) as { spec: { versions: Array<{ schema: { openAPIV3Schema: object } }> } };
        return [def.kind, ajv.compile(crd.spec.versions[0]?.schema.openAPIV3Schema as object)];
      }),
    );
    const samples = readdirSync(new URL('samples/', configDir)).filter((f) => f.endsWith('.yaml'));
    expect(samples.length).toBeGreaterThan(0);
    for (const file of samples) {
      for (const doc of parseAllDocuments(readFileSync(new URL(`samples/${file}`, configDir), 'utf8'))) {
        const object = doc.toJS() as { kind: string };
        const validate = validators.get(object.kind);
        if (!validate) continue;
        expect(validate(object), `${file} ${object.kind}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      }
    }
    const machine = validators.get('Machine');
    expect(
      machine?.({
        apiVersion: 'kvmatrix.io/v1alpha1',
        kind: 'Machine',
        metadata: {},
        spec: { sshUser: 'root' },
      }),
    ).toBe(false);
  });
});
