import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderGoMod } from '../artifacts/build-module.ts';
import { listLabRecipes } from './lab-recipes.ts';

const fixture = (name: string) => readFileSync(new URL(`test/fixtures/${name}`, import.meta.url), 'utf8');

function goModOf(name: string, goMod: string): string {
  const recipe = listLabRecipes().find((r) => r.name === name);
  if (!recipe) throw new Error(`no recipe ${name}`);
  return renderGoMod({
    name,
    roots: recipe.roots,
    rootGoMods: [goMod],
    packages: recipe.binaries.map((b) => b.pkg),
    ...(recipe.replaces ? { replaceOverrides: recipe.replaces } : {}),
  });
}

describe('the KubeVirt build module', () => {
  const goMod = goModOf('kubevirt', fixture('kubevirt-v1.8.1.go.mod'));

  it('points the staging modules at their published v1.8.1, not at what go.mod requires', () => {
    expect(goMod).toContain('kubevirt.io/api => kubevirt.io/api v1.8.1');
    expect(goMod).toContain('kubevirt.io/client-go => kubevirt.io/client-go v1.8.1');
    expect(goMod).not.toContain('v1.7.0');
    expect(goMod).not.toContain('00010101000000');
  });

  it("repeats upstream's module replaces and takes libnbd's Go binding from Debian's source", () => {
    expect(goMod).toContain('k8s.io/api => k8s.io/api v0.34.2');
    expect(goMod).toContain(
      'github.com/openshift/api => github.com/openshift/api v0.0.0-20210105115604-44119421ec6b',
    );
    expect(goMod).toContain('libguestfs.org/libnbd => ./third_party/libnbd');
    expect(goMod).toContain('go 1.24.0');
  });

  it('builds every component in the Debian build root with cgo and the selinux tag', () => {
    const recipe = listLabRecipes().find((r) => r.name === 'kubevirt');
    expect(recipe?.buildRoot).toBe(true);
    expect(recipe?.env?.CGO_ENABLED).toBe('1');
    expect(recipe?.tags).toEqual(['selinux']);
    expect(recipe?.binaries.map((b) => b.name)).toEqual(
      expect.arrayContaining(['virt-operator', 'virt-launcher', 'virt-handler', 'manifest-templator']),
    );
    expect(recipe?.ldflags).toContain('-X kubevirt.io/client-go/version.gitVersion=v1.8.1');
  });
});

describe('the CDI build module', () => {
  const goMod = goModOf('cdi', fixture('cdi-v1.64.0.go.mod'));

  it('uses the published API module and drops the replace that names no module', () => {
    expect(goMod).toContain(
      'kubevirt.io/containerized-data-importer-api => kubevirt.io/containerized-data-importer-api v1.64.0',
    );
    expect(goMod).not.toContain('dynamic-resource-allocation');
    expect(goMod).toContain('k8s.io/api => k8s.io/api v0.31.5');
  });

  it('skips the checksum database for CDI alone, which sum.golang.org does not list', () => {
    const recipe = listLabRecipes().find((r) => r.name === 'cdi');
    expect(recipe?.env?.GONOSUMDB).toBe('kubevirt.io/containerized-data-importer');
  });
});
