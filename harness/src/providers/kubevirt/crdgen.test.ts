import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { crdFiles } from './test/crd-schemas.ts';

const generator = fileURLToPath(new URL('./crdgen/generate.sh', import.meta.url));
const hasGo = (await execa('go', ['version'], { reject: false })).exitCode === 0;

// The committed CRDs are exactly what the generator prints from the pinned KubeVirt and CDI
// modules. Runs where Go is installed and the modules are already in the module cache (GOPROXY
// is off here, so a test never downloads); with a warm build cache it takes ~20 s.
describe.skipIf(!hasGo)('crdgen', () => {
  it('prints the committed KubeVirt and CDI CRDs', async (context) => {
    const out = await mkdtemp(path.join(tmpdir(), 'kvm-kubevirt-crdgen-'));
    try {
      const result = await execa('bash', [generator, out], { reject: false, env: { GOPROXY: 'off' } });
      if (result.exitCode !== 0 && /GOPROXY=off|module lookup disabled/.test(String(result.stderr))) {
        context.skip(
          'the KubeVirt/CDI Go modules are not in the module cache; run crdgen/generate.sh once online',
        );
      }
      expect(result.exitCode, String(result.stderr)).toBe(0);
      for (const [name, committed] of Object.entries(crdFiles)) {
        const generated = await readFile(path.join(out, `${name}.yaml`), 'utf8');
        expect(
          generated === (await readFile(committed, 'utf8')),
          `${name}.yaml differs from the generator's output`,
        ).toBe(true);
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 900_000);
});
