import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../host/paths.ts';
import type { ArtifactSet } from './build-artifacts.ts';
import { listImageRecipes } from './build-images.ts';
import { emptyManifest } from './manifest.ts';
import { listRecipes } from './recipes.ts';
import { addonVersions, findRelease } from './versions.ts';

describe('the metrics-server addon in the artifact set', () => {
  const release = findRelease('1.34');
  if (!release) throw new Error('no 1.34 release');

  it('is built from its own module at the pinned version', () => {
    const recipe = listRecipes(release, '').find((r) => r.name === 'metrics-server');
    expect(recipe?.roots).toEqual([
      { module: 'sigs.k8s.io/metrics-server', version: `v${addonVersions.metricsServer}` },
    ]);
    expect(recipe?.binaries).toEqual([
      { name: 'metrics-server', pkg: 'sigs.k8s.io/metrics-server/cmd/metrics-server' },
    ]);
  });

  it('is packed under the tag the playbooks’ addons role pulls', async () => {
    const set = {
      dir: '/nonexistent',
      binDir: '/nonexistent/bin',
      manifest: emptyManifest(release),
    } as ArtifactSet;
    const image = listImageRecipes(set).find((r) => r.name === 'metrics-server');
    expect(image?.entrypoint).toEqual(['/metrics-server']);
    const defaults = parse(
      await readFile(path.join(repoRoot, 'playbooks/roles/addons/defaults/main.yml'), 'utf8'),
    ) as Record<string, unknown>;
    expect(`v${defaults.addons_metrics_server_version}`).toBe(image?.tag);
  });
});
