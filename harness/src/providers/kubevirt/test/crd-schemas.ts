import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';

// The generated KubeVirt and CDI CRDs (see ../crdgen) and validators built from their schemas.
export const crdFiles = {
  kubevirt: fileURLToPath(new URL('./fixtures/crds/kubevirt.yaml', import.meta.url)),
  cdi: fileURLToPath(new URL('./fixtures/crds/cdi.yaml', import.meta.url)),
};

export interface Crd {
  metadata: { name: string };
  spec: {
    group: string;
    names: { kind: string; plural: string };
    versions: Array<{
      name: string;
      served: boolean;
      storage: boolean;
      schema?: { openAPIV3Schema: Record<string, unknown> };
    }>;
  };
}

export async function loadCrds(...files: string[]): Promise<Crd[]> {
  const crds: Crd[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(file, 'utf8'))) {
      const crd = doc.toJS() as Crd | null;
      if (crd?.metadata?.name) crds.push(crd);
    }
  }
  return crds;
}

// The apiserver prunes unknown fields and, with fieldValidation=Strict, rejects them. ajv knows
// neither, so every object schema that lists its properties (and does not preserve unknown
// fields) is closed here, which makes ajv reject a misspelt field as the API server would.
function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, closeObjects(v)]))
        : closeObjects(value);
  }
  if (
    out.properties &&
    out.additionalProperties === undefined &&
    !out['x-kubernetes-preserve-unknown-fields']
  ) {
    out.additionalProperties = false;
  }
  return out;
}

export function validatorFor(crds: Crd[], kind: string, version: string): ValidateFunction {
  const crd = crds.find((c) => c.spec.names.kind === kind);
  const schema = crd?.spec.versions.find((v) => v.name === version)?.schema?.openAPIV3Schema;
  if (!schema) throw new Error(`no schema for ${kind} ${version} in the generated CRDs`);
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  return ajv.compile(closeObjects(schema) as object);
}
