import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../host/paths.ts';
import { goldenImageCron } from './lab-up.ts';

describe('goldenImageCron', () => {
  const file = path.join(repoRoot, 'vm-templates', 'golden-images', 'debian12.yaml');

  it("keeps vm-templates' DataImportCron and points only its source at the mirror", () => {
    const url = 'docker://10.88.0.1:5000/kvmatrix-lab/containerdisks/debian12:abc';
    const cron = goldenImageCron(readFileSync(file, 'utf8'), file, url);
    expect(cron).toMatchObject({
      metadata: { namespace: 'kvmatrix-images' },
      spec: {
        managedDataSource: 'kvmatrix-debian12',
        template: { spec: { source: { registry: { url, pullMethod: 'node' } } } },
      },
    });
  });

  it('names the file when it holds no DataImportCron', () => {
    expect(() => goldenImageCron('kind: ConfigMap\n', 'x.yaml', 'docker://r/i:t')).toThrowError(
      /x\.yaml: expected a DataImportCron/,
    );
  });
});
