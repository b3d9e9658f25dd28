import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ResultPromise } from 'execa';
import { parse } from 'junit2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesIn, podmanLeftovers } from './test/leftovers.ts';
import { type CliOptions, readRecord, runCellCli, spawnKvmatrix } from './test/run-cell-cli.ts';

// `kvmatrix run` for real: podman node containers, the offline artifact set built from source,
// the playbooks, the checks. Each test runs the CLI as a child process, as CI and people do.
const AIO = 'debian12-1.34-containerd-bridge-aio-lifecycle';
const SCALE = 'debian12-1.34-containerd-bridge-1cp-1w-scale-worker';
const UPGRADE = 'debian12-1.34-containerd-bridge-1cp-1w-upgrade';
const GOOD = 'debian12-1.34-containerd-bridge-aio-deploy';
const BROKEN = 'debian12-1.34-containerd-broken-aio-broken';
const gateMatrix = path.join(import.meta.dirname, 'test', 'fixtures', 'gate', 'matrix.yaml');

let work: string;

// Every child runs in `work` with its own state directory there, which the leftover checks read.
function inWork(): CliOptions {
  return { env: { KVMATRIX_STATE_DIR: path.join(work, 'state') }, cwd: work };
}

// Waits until the child has printed `pattern` (and `delayMs` more), then sends SIGTERM.
async function terminateWhen(child: ResultPromise, pattern: RegExp, delayMs = 0): Promise<void> {
  let seen = '';
  await new Promise<void>((resolve) => {
    child.all?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (pattern.test(seen)) resolve();
    });
    void child.then(() => resolve());
  });
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  child.kill('SIGTERM');
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'kvmatrix-run-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('kvmatrix run on the podman provider', () => {
  it(
    'deploys the all-in-one cell, proves idempotence before and after a kubelet setting change, reports and leaves nothing',
    async () => {
      const out = path.join(work, 'aio');
      const child = runCellCli(AIO, { out, ...inWork() });
      const r = await child;
      expect(r.exitCode, String(r.all)).toBe(0);
      const record = await readRecord(out);
      expect(record.outcome).toBe('passed');
      expect(record.steps.map((s) => [s.id, s.outcome])).toEqual([
        ['deploy', 'passed'],
        ['idempotence', 'passed'],
        ['kubelet-max-pods', 'passed'],
        ['idempotence-2', 'passed'],
      ]);
      const deploy = record.steps[0];
      expect(deploy?.checks.map((c) => [c.id, c.outcome])).toEqual([
        ['apiserver', 'passed'],
        ['nodes-ready', 'passed'],
        ['system-pods', 'passed'],
        ['pod-network', 'passed'],
        ['service-dns', 'passed'],
      ]);
      expect(record.steps[2]?.checks.find((c) => c.id === 'nodes-ready')?.evidence).toContain('pods=150');
      expect(record.steps[1]?.changed).toEqual([]);
      // The changed setting was stored everywhere: cluster.yml with it changes nothing.
      expect(record.steps[3]?.changed).toEqual([]);
      expect(deploy?.tasks?.length).toBeGreaterThan(20);
      const junit = (await parse(await readFile(path.join(out, 'junit.xml'), 'utf8'))) as {
        tests: number;
        failures: number;
      };
      expect(junit.failures).toBe(0);
      expect(junit.tests).toBe(4 + 5 + 2 + 2 + 2);
      expect(await podmanLeftovers(AIO, child.pid)).toEqual([]);
      expect(await filesIn(path.join(work, 'state', 'runs', AIO))).toEqual([]);
    },
    45 * 60_000,
  );

  it(
    'gates a small release tier: fails naming the broken cell, passes once only good cells are planned',
    async () => {
      const out = path.join(work, 'gate');
      const child = spawnKvmatrix(
        ['gate', '--tier', 'release', '--matrix', gateMatrix, '--provider', 'podman', '--out', out],
        inWork(),
      );
      const r = await child;
      expect(r.exitCode, String(r.all)).toBe(1);
      expect(r.all).toContain('gate release: FAILED');

      const good = await readRecord(path.join(out, 'cells', GOOD));
      expect(good.outcome).toBe('passed');
      const broken = await readRecord(path.join(out, 'cells', BROKEN));
      expect(broken.outcome).toBe('failed');
      expect(broken.steps[0]).toMatchObject({ id: 'deploy', outcome: 'failed' });
      expect(broken.steps[0]?.message).toContain('cluster_pod_subnet');
      expect(broken.steps[1]).toMatchObject({ id: 'idempotence', outcome: 'skipped' });
      expect(await filesIn(path.join(out, 'cells', BROKEN, 'dump'))).toContain('journal-cp1.log');

      const report = await readFile(path.join(out, 'release-report.md'), 'utf8');
      expect(report).toMatch(/^# Release gate `release`: FAILED/);
      expect(report).toContain(BROKEN);
      expect(report).toContain('cluster_pod_subnet');
      expect(report).toMatch(/- kube_version: 1\.34\.4/);
      expect(report).toMatch(/- etcd: 3\.6\.5/);
      const json = JSON.parse(await readFile(path.join(out, 'release-report.json'), 'utf8')) as {
        passed: boolean;
        report: { cells: { name: string; status: string }[] };
      };
      expect(json.passed).toBe(false);
      expect(Object.fromEntries(json.report.cells.map((c) => [c.name, c.status]))).toEqual({
        [GOOD]: 'passed',
        [BROKEN]: 'failed',
      });
      expect(await podmanLeftovers(GOOD, child.pid)).toEqual([]);
      expect(await podmanLeftovers(BROKEN, child.pid)).toEqual([]);

      // The same judgement over records collected elsewhere (as the tag pipeline does).
      const judged = path.join(work, 'gate-good');
      const again = await spawnKvmatrix(
        [
          'gate',
          '--tier',
          'good',
          '--matrix',
          gateMatrix,
          '--results',
          path.join(out, 'cells'),
          '--out',
          judged,
        ],
        inWork(),
      );
      expect(again.exitCode, String(again.all)).toBe(0);
      expect(await readFile(path.join(judged, 'release-report.md'), 'utf8')).toMatch(
        /^# Release gate `good`: PASSED/,
      );
    },
    30 * 60_000,
  );

  it(
    'tears everything down when SIGTERM arrives during provisioning',
    async () => {
      const child = runCellCli(SCALE, { out: path.join(work, 'term1'), ...inWork() });
      await terminateWhen(child, /provision \d machine/);
      const r = await child;
      expect(r.exitCode, String(r.all)).toBe(130);
      expect(await podmanLeftovers(SCALE, child.pid)).toEqual([]);
      expect(await filesIn(path.join(work, 'state', 'runs', SCALE))).toEqual([]);
    },
    10 * 60_000,
  );

  it(
    'tears everything down when SIGTERM arrives during a playbook',
    async () => {
      const out = path.join(work, 'term2');
      const child = runCellCli(AIO, { out, ...inWork() });
      await terminateWhen(child, /step deploy: cluster\.yml/, 5000);
      const r = await child;
      expect(r.exitCode, String(r.all)).toBe(130);
      expect((await readRecord(out)).outcome).toBe('interrupted');
      expect(await podmanLeftovers(AIO, child.pid)).toEqual([]);
    },
    10 * 60_000,
  );

  it(
    'runs the one control plane and one worker cell with a scale step',
    async () => {
      const out = path.join(work, 'scale');
      const child = runCellCli(SCALE, { out, ...inWork() });
      const r = await child;
      expect(r.exitCode, String(r.all)).toBe(0);
      const record = await readRecord(out);
      expect(record.steps.map((s) => [s.id, s.outcome])).toEqual([
        ['deploy', 'passed'],
        ['add-worker', 'passed'],
        ['remove-worker', 'passed'],
      ]);
      expect(record.steps[1]?.checks.find((c) => c.id === 'nodes-ready')?.evidence).toMatch(/w2: Ready=True/);
      expect(record.steps[2]?.checks.find((c) => c.id === 'nodes-ready')?.evidence).not.toMatch(/w2:/);
      expect(await podmanLeftovers(SCALE, child.pid)).toEqual([]);
    },
    60 * 60_000,
  );

  it(
    'deploys N-1 and upgrades it to N one node at a time',
    async () => {
      const out = path.join(work, 'upgrade');
      const child = runCellCli(UPGRADE, { out, ...inWork() });
      const r = await child;
      expect(r.exitCode, String(r.all)).toBe(0);
      const record = await readRecord(out);
      expect(record.steps.map((s) => [s.id, s.outcome])).toEqual([
        ['deploy-previous', 'passed'],
        ['upgrade', 'passed'],
      ]);
      // The apiserver check compares the served version with the step's kube_version.
      expect(record.steps[0]?.checks.find((c) => c.id === 'apiserver')?.evidence).toContain('v1.33.13');
      expect(record.steps[1]?.checks.find((c) => c.id === 'apiserver')?.evidence).toContain('v1.34.4');
      expect(record.steps[1]?.checks.find((c) => c.id === 'nodes-ready')?.evidence).toMatch(
        /cp1: Ready=True.*v1\.34\.4[\s\S]*w1: Ready=True.*v1\.34\.4/,
      );
      expect(record.versions.kubelet).toBe('v1.34.4');
      expect(await podmanLeftovers(UPGRADE, child.pid)).toEqual([]);
    },
    60 * 60_000,
  );
});
