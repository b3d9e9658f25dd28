// The first use of the caches that no set-up step fills, for `npm run setup -- --from-scratch`:
// the checks' probe image and its copy in the mirror's registry (every cell uses them) and the
// operator image (the operator cell). Each is built into the (empty) KVMATRIX_CACHE_DIR and
// timed; a failure exits non-zero with the error's message and hint.

import { buildProbeImage, publishProbeImage } from '../src/checks/probe-image.ts';
import { EXIT_INFRASTRUCTURE, isKvError } from '../src/contracts/errors.ts';
import { buildOperatorImage, publishOperatorImage } from '../src/operator-cell/operator-image.ts';

const log = (line: string) => process.stdout.write(`first-use: ${line}\n`);

async function timed(what: string, fn: () => Promise<string>): Promise<void> {
  const started = Date.now();
  const result = await fn();
  log(`${what}: ${result} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

try {
  await timed('probe image', async () => publishProbeImage(await buildProbeImage()));
  await timed('operator image', async () => publishOperatorImage(await buildOperatorImage(log)));
} catch (error) {
  const message = isKvError(error)
    ? `${error.message}${error.hint ? ` (hint: ${error.hint})` : ''}`
    : String(error);
  process.stderr.write(`first-use: ${message}\n`);
  process.exit(isKvError(error) ? error.exitCode : EXIT_INFRASTRUCTURE);
}
