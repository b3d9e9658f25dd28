import { stringify } from 'yaml';
import { allKinds, buildCrd, crdFileName } from './crd.ts';

export const generatedHeader =
  '# Generated from operator/src/api/v1alpha1 by `npm run operator:crds`. Do not edit.\n';

// The CRD files as they belong under operator/config/crd: file name -> YAML text. Pure.
export function renderCrds(): Map<string, string> {
  const files = new Map<string, string>();
  for (const def of allKinds) {
    files.set(crdFileName(def), generatedHeader + stringify(buildCrd(def), { lineWidth: 0 }));
  }
  return files;
}
