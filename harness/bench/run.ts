import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readRecord, runCellCli } from '../src/run/test/run-cell-cli.ts';
import type { Print } from './bench.ts';

const CELL = 'debian12-1.34-containerd-bridge-aio-lifecycle';

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

// The all-in-one cell end to end through the real CLI, by phase, and the harness's own overhead:
// the wall time not spent provisioning machines, in Ansible or in checks.
export async function benchRun(print: Print): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'kvmatrix-bench-run-'));
  try {
    const started = Date.now();
    const r = await runCellCli(CELL, { out: work });
    const wall = Date.now() - started;
    const record = await readRecord(work);
    print(`cell ${CELL}: ${record.outcome} (exit ${r.exitCode}), wall ${secs(wall)}`);
    const provision = record.phases.reduce((sum, p) => sum + p.durationMs, 0);
    for (const p of record.phases)
      print(`  phase ${p.phase}${p.machine ? ` (${p.machine})` : ''}: ${secs(p.durationMs)}`);
    let ansible = 0;
    let checks = 0;
    for (const step of record.steps) {
      const checkTime = step.checks.reduce((sum, c) => sum + c.durationMs, 0);
      ansible += step.durationMs;
      checks += checkTime;
      print(
        `  step ${step.id} (${step.playbook}): ansible ${secs(step.durationMs)}, checks ${secs(checkTime)}`,
      );
    }
    const overhead = wall - provision - ansible - checks;
    print(`  provisioning ${secs(provision)}, ansible ${secs(ansible)}, checks ${secs(checks)}`);
    print(
      `  harness overhead (CLI start, mirror, inventory, reports, teardown): ${secs(overhead)} (${((overhead / wall) * 100).toFixed(1)} %)`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
