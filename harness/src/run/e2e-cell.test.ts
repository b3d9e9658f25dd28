import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesIn, podmanLeftovers } from './test/leftovers.ts';
import { readRecord, runCellCli } from './test/run-cell-cli.ts';

// The e2e check for real: the two-node cell deploys with the playbooks onto podman node
// containers and runs Kubernetes' own [sig-network] Networking Granular Checks (e2e.test built
// from source, images from the offline mirror). About 6-7 minutes and it needs the e2e tools
// (`npx kvmatrix artifacts build --only e2e,ginkgo,agnhost`, or KVMATRIX_ARTIFACT_E2E=1.34 in
// set-up), so it runs only when KVMATRIX_E2E_CELL_TEST=1.
const CELL = 'debian12-1.34-containerd-bridge-1cpw-1w-e2e';
const enabled = process.env.KVMATRIX_E2E_CELL_TEST === '1';

let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'kvmatrix-e2e-cell-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe.runIf(enabled)('the e2e check on the two-node podman cell', () => {
  it(
    'passes the networking focus, records every spec with its duration and leaves nothing behind',
    async () => {
      const out = path.join(work, 'artifacts');
      const before = new Set((await readdir(tmpdir())).filter((f) => f.startsWith('kvm-e2e-')));
      const r = await runCellCli(CELL, { out, env: { KVMATRIX_STATE_DIR: path.join(work, 'state') } });
      expect(r.exitCode, String(r.all).slice(-4000)).toBe(0);
      const record = await readRecord(out);
      const e2e = record.steps[0]?.checks.find((c) => c.id === 'e2e');
      expect(e2e?.outcome).toBe('passed');
      expect(e2e?.specCounts?.failed).toBe(0);
      expect(e2e?.specCounts?.passed).toBeGreaterThanOrEqual(15);
      expect(e2e?.specs?.every((s) => s.durationMs > 0)).toBe(true);
      const junit = await readFile(path.join(out, 'junit.xml'), 'utf8');
      expect(junit).toContain(`classname="${CELL}.e2e"`);
      expect(await podmanLeftovers(CELL)).toEqual([]);
      expect(await filesIn(path.join(work, 'state', 'runs', CELL))).toEqual([]);
      const after = (await readdir(tmpdir())).filter((f) => f.startsWith('kvm-e2e-') && !before.has(f));
      expect(after).toEqual([]);
    },
    40 * 60_000,
  );
});
