import { clusterKind } from './cluster.ts';
import { clusterDeploymentKind } from './cluster-deployment.ts';
import { machineKind } from './machine.ts';
import { machineSetKind } from './machine-set.ts';
import { GROUP, type KindDefinition, type SchemaProps, VERSION } from './meta.ts';

export const allKinds: KindDefinition[] = [clusterDeploymentKind, machineSetKind, machineKind, clusterKind];

// The CustomResourceDefinition of one kind, derived from its TypeScript schema definition: the
// YAML under operator/config/crd is generated from this (and a test fails if they drift).
export function buildCrd(def: KindDefinition): Record<string, unknown> {
  const schema: SchemaProps = {
    type: 'object',
    description: def.description,
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: def.specSchema,
      status: def.statusSchema,
    },
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${def.plural}.${GROUP}`, labels: { 'app.kubernetes.io/part-of': 'kvmatrix' } },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: def.shortNames,
        categories: ['kvmatrix'],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: def.printerColumns,
          schema: { openAPIV3Schema: schema },
        },
      ],
    },
  };
}

export function crdFileName(def: KindDefinition): string {
  return `${GROUP}_${def.plural}.yaml`;
}
