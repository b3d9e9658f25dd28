import { describe, expect, it } from 'vitest';
import { addonHash, addonNeedsApply, parseAddonManifests } from './addons.ts';

const addon = { name: 'dns', version: '1.0', manifestsConfigMap: 'dns' };

describe('addons', () => {
  it('applies again when the version or the manifests change, not otherwise', () => {
    const hash = addonHash(addon, { 'a.yaml': 'x' });
    const applied = [{ name: 'dns', version: '1.0', hash, result: 'Applied' as const, time: '' }];
    expect(addonNeedsApply(addon, hash, applied)).toBe(false);
    expect(addonNeedsApply(addon, addonHash(addon, { 'a.yaml': 'y' }), applied)).toBe(true);
    expect(addonNeedsApply({ ...addon, version: '1.1' }, hash, applied)).toBe(true);
    expect(addonNeedsApply(addon, hash, [{ ...applied[0], result: 'Failed' } as never])).toBe(true);
  });
  it('parses every document of every key in key order and rejects objects without kind', () => {
    const objects = parseAddonManifests({
      'b.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
      'a.yaml':
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: s}\n',
    });
    expect(objects.map((o) => o.kind)).toEqual(['Namespace', 'ServiceAccount', 'ConfigMap']);
    expect(() => parseAddonManifests({ 'x.yaml': 'metadata: {name: x}' })).toThrow(
      /x.yaml: a manifest needs apiVersion and kind/,
    );
  });
});
