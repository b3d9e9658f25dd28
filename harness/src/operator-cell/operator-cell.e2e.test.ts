import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesIn, podmanLeftovers } from '../run/test/leftovers.ts';
import { readRecord, runCellCli } from '../run/test/run-cell-cli.ts';

// The operator cell for real (about 10 minutes on a 2-core machine, so off by default:
// KVMATRIX_TEST_OPERATOR_CELL=1): a management cluster from the playbooks, the operator in it, a
// workload cluster built, scaled and reset by the operator's Jobs, the checks against it.
const CELL = 'debian12-1.34-containerd-bridge-mgmt-1cp-1w-operator';
const enabled = process.env.KVMATRIX_TEST_OPERATOR_CELL === '1';

let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'kvm-operator-cell-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe.skipIf(!enabled)('the operator cell on the podman provider', () => {
  it(
    'builds, scales and deletes a workload cluster through the operator, checks it, and leaves nothing',
    async () => {
      const out = path.join(work, 'out');
      const r = await runCellCli(CELL, {
        out,
        env: { KVMATRIX_STATE_DIR: path.join(work, 'state') },
        cwd: work,
      });
      expect(r.exitCode, String(r.all)).toBe(0);
      const record = await readRecord(out);
      expect(record.steps.map((s) => [s.id, s.outcome])).toEqual([
        ['deploy', 'passed'],
        ['operator-install', 'passed'],
        ['operator-cluster', 'passed'],
        ['operator-add-worker', 'passed'],
        ['operator-delete', 'passed'],
      ]);
      const cluster = record.steps[2];
      expect(cluster?.checks.map((c) => c.outcome)).toEqual([
        'passed',
        'passed',
        'passed',
        'passed',
        'passed',
      ]);
      // The workload cluster's nodes, not the management node, answered the checks.
      expect(cluster?.checks.find((c) => c.id === 'nodes-ready')?.evidence).toMatch(
        /cp1: Ready=True[\s\S]*w1:/,
      );
      expect(record.steps[3]?.checks.find((c) => c.id === 'nodes-ready')?.evidence).toContain(
        'w2: Ready=True',
      );
      // The playbook Jobs' logs are kept; neither they nor anything else holds the SSH key.
      const logs = await readdir(path.join(out, 'logs'));
      expect(logs.some((f) => /workload-install-.*\.log$/.test(f))).toBe(true);
      expect(logs.some((f) => /workload-scale-.*\.log$/.test(f))).toBe(true);
      expect(logs.some((f) => /workload-reset-.*\.log$/.test(f))).toBe(true);
      for (const f of await filesIn(out)) {
        const text = await readFile(path.join(out, f), 'utf8').catch(() => '');
        expect(text, f).not.toMatch(/PRIVATE KEY|client-key-data/);
      }
      expect(await podmanLeftovers(CELL)).toEqual([]);
      expect(await filesIn(path.join(work, 'state', 'runs', CELL))).toEqual([]);
    },
    40 * 60_000,
  );
});
