import { readFile, rm } from 'node:fs/promises';
import { readRunIndex } from '../../host/run-index.ts';
import { listRegisteredRuns } from '../local/host-sysctls.ts';
import { releaseLocalRun } from '../local/local-run.ts';
import { reasonToKeep } from '../local/reap-policy.ts';
import type { ReapOptions, ReapReport } from '../provider.ts';
import { listRunLinks } from './qemu-network.ts';
import { removeQemuRun } from './qemu-teardown.ts';
import { findQemuProcesses, isProcessAlive, stopProcesses } from './vm-process.ts';

// Removes what dead qemu runs left: QEMU processes (found by KVMATRIX_RUN in their environment),
// taps and bridges (by alias), firewall rules, overlays and state dirs (from the host's run
// index), sysctl registrations. A run whose harness is alive, kept by --keep, or younger than
// `olderThanMs` is kept (common/reap-policy.ts).
export async function reapQemu(options: ReapOptions): Promise<ReapReport> {
  const report: ReapReport = { removed: [], kept: [] };
  const runs = new Map<string, number | undefined>();
  const note = (runId: string, atMs: number | undefined) => {
    const known = runs.get(runId);
    runs.set(runId, known === undefined ? atMs : atMs === undefined ? known : Math.min(known, atMs));
  };
  const index = await readRunIndex('qemu');
  for (const p of await findQemuProcesses()) if (p.runId !== 'template') note(p.runId, p.startedAtMs);
  for (const entry of index) note(entry.id.runId, Date.parse(entry.createdAt));
  for (const link of await listRunLinks()) note(link.runId, undefined);
  for (const runId of await listRegisteredRuns('qemu')) note(runId, undefined);
  report.removed.push(...(await reapOrphanTemplates()));
  const now = Date.now();
  for (const [runId, atMs] of runs) {
    if (options.runId && runId !== options.runId) continue;
    const entry = index.find((e) => e.id.runId === runId);
    const why = reasonToKeep(
      {
        provider: 'qemu',
        runId,
        ...(entry ? { owner: String(entry.pid) } : {}),
        ...(atMs !== undefined ? { createdAtMs: atMs } : {}),
        kept: entry?.kept ?? false,
      },
      options,
      now,
    );
    if (why) {
      report.kept.push(why);
      continue;
    }
    report.removed.push(...(await removeQemuRun(runId)));
    report.removed.push(...(await releaseLocalRun(runId, entry?.stateDir)));
  }
  return report;
}

// A template VM whose snapshot builder died (its lock holder is gone) is stopped and its
// half-built snapshot removed; the next `up` builds it again.
async function reapOrphanTemplates(): Promise<string[]> {
  const removed: string[] = [];
  for (const p of await findQemuProcesses('template')) {
    const holder = Number((await readFile(`${p.machine}.lock`, 'utf8').catch(() => '')).trim());
    if (holder > 0 && isProcessAlive(holder)) continue;
    await stopProcesses([p.pid]);
    await rm(p.machine, { recursive: true, force: true });
    await rm(`${p.machine}.lock`, { force: true });
    removed.push(`template qemu pid ${p.pid} (${p.machine})`);
  }
  return removed;
}
