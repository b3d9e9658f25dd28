// Writes operator/config/crd/*.yaml from the TypeScript kind definitions.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCrds } from '../src/api/v1alpha1/render-crds.ts';

const dir = fileURLToPath(new URL('../config/crd/', import.meta.url));
for (const [name, text] of renderCrds()) {
  writeFileSync(path.join(dir, name), text);
  console.log(`wrote ${path.join('operator/config/crd', name)}`);
}
