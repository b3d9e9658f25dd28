import { createHash } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import type { AddonStatus } from '../api/v1alpha1/cluster.ts';
import type { AddonSpec } from '../api/v1alpha1/cluster-deployment.ts';
import { canonicalJson } from './canonical-json.ts';

export function addonHash(addon: AddonSpec, data: Record<string, string>): string {
  return createHash('sha256')
    .update(canonicalJson([addon.version, data]))
    .digest('hex')
    .slice(0, 16);
}

// An addon needs applying when nothing with its name, version and manifest hash was applied. Pure.
export function addonNeedsApply(addon: AddonSpec, hash: string, applied: AddonStatus[] | undefined): boolean {
  return !applied?.some(
    (a) => a.name === addon.name && a.version === addon.version && a.hash === hash && a.result === 'Applied',
  );
}

// The manifests of an addon ConfigMap, in key order, one object per YAML document.
export function parseAddonManifests(data: Record<string, string>): Array<Record<string, unknown>> {
  const objects: Array<Record<string, unknown>> = [];
  for (const key of Object.keys(data).sort()) {
    for (const doc of parseAllDocuments(data[key] as string)) {
      if (doc.errors.length > 0) throw new Error(`${key}: ${doc.errors[0]?.message}`);
      const value = doc.toJS() as Record<string, unknown> | null;
      if (!value) continue;
      if (typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') {
        throw new Error(`${key}: a manifest needs apiVersion and kind`);
      }
      objects.push(value);
    }
  }
  return objects;
}
