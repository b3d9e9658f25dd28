import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { selectRecipes } from './build-artifacts.ts';
import { isModuleImport, parseGoImports } from './go-imports.ts';
import { listRecipes } from './recipes.ts';
import { kubernetesReleases } from './versions.ts';

const e2eTest = readFileSync(new URL('test/fixtures/e2e_test-v1.34.4.go.txt', import.meta.url), 'utf8');
const release = kubernetesReleases['1.34'];
if (!release) throw new Error('1.34 is pinned');

describe('parseGoImports', () => {
  it('reads the blank, named and plain imports of e2e_test.go and skips the commented-out one', () => {
    const imports = parseGoImports(e2eTest);
    expect(imports).toContain('k8s.io/kubernetes/test/e2e/network');
    expect(imports).toContain('go.yaml.in/yaml/v2');
    expect(imports).toContain('k8s.io/kubernetes/test/conformance/testdata');
    expect(imports).toContain('flag');
    expect(imports.filter((i) => i === 'github.com/onsi/ginkgo/v2')).toHaveLength(1);
    expect(imports.filter(isModuleImport)).not.toContain('testing');
  });

  it('reads single-line imports and ignores import-like text in comments', () => {
    const source = 'package x\n\nimport "fmt"\nimport y "example.com/y"\n/* import "example.com/no" */\n';
    expect(parseGoImports(source)).toEqual(['fmt', 'example.com/y']);
  });
});

describe('selectRecipes', () => {
  const recipes = listRecipes(release, '2025-01-01T00:00:00Z');

  it('leaves the optional e2e tools out of a plain build', () => {
    const names = selectRecipes(recipes, undefined).map((r) => r.name);
    expect(names).toContain('kubernetes');
    expect(names).not.toContain('e2e');
    expect(names).not.toContain('agnhost');
  });

  it('builds e2e.test as a test binary with the same version stamps as kubelet', () => {
    const [e2e] = selectRecipes(recipes, ['e2e']);
    const kubernetes = recipes.find((r) => r.name === 'kubernetes');
    expect(e2e?.binaries).toEqual([{ name: 'e2e.test', pkg: 'k8s.io/kubernetes/test/e2e', test: true }]);
    expect(e2e?.ldflags).toEqual(kubernetes?.ldflags);
    expect(e2e?.ldflags).toContain('-X k8s.io/component-base/version.gitVersion=v1.34.4');
  });

  it('pins ginkgo to the version k8s.io/kubernetes requires', () => {
    const [ginkgo] = selectRecipes(recipes, ['ginkgo']);
    expect(ginkgo?.roots).toEqual([{ module: 'github.com/onsi/ginkgo/v2', version: 'v2.21.0' }]);
  });

  it('names the components it knows when asked for an unknown one', () => {
    expect(() => selectRecipes(recipes, ['e2e', 'sonobuoy'])).toThrowError(
      /unknown artifact component sonobuoy/,
    );
  });
});
