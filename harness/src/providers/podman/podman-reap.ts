import { listRegisteredRuns } from '../common/host-sysctls.ts';
import { releaseLocalRun } from '../common/local-run.ts';
import { readRunIndex } from '../common/run-index.ts';
import { isOwnerAlive } from '../common/run-labels.ts';
import type { ReapOptions, ReapReport } from '../provider.ts';
import { listPodmanRuns, removePodmanRun } from './podman-teardown.ts';

// Removes what dead podman runs left (containers, volumes, networks, state dirs, sysctl
// registrations), found by the kvmatrix.run label and the host's run index. A run whose harness
// process is alive, or younger than `olderThanMs`, is kept; naming a run id reaps it regardless.
export async function reapPodman(options: ReapOptions): Promise<ReapReport> {
  const report: ReapReport = { removed: [], kept: [] };
  const now = Date.now();
  const isOld = (createdAt: string | undefined) =>
    !options.olderThanMs || !createdAt || now - Date.parse(createdAt) >= options.olderThanMs;
  const index = await readRunIndex('podman');
  const runs = new Map<string, string | undefined>();
  const owners = new Map<string, string | undefined>();
  for (const run of await listPodmanRuns()) {
    runs.set(run.runId, run.createdAt);
    owners.set(run.runId, run.owner);
  }
  for (const entry of index) if (!runs.has(entry.id.runId)) runs.set(entry.id.runId, entry.createdAt);
  for (const runId of await listRegisteredRuns('podman')) if (!runs.has(runId)) runs.set(runId, undefined);
  for (const [runId, createdAt] of runs) {
    if (options.runId && runId !== options.runId) continue;
    const owner = owners.get(runId) ?? String(index.find((e) => e.id.runId === runId)?.pid ?? '');
    if (!options.runId && isOwnerAlive(owner)) {
      report.kept.push(`podman run ${runId} (its harness, pid ${owner}, is alive)`);
      continue;
    }
    if (!isOld(createdAt)) {
      report.kept.push(`podman run ${runId} (created ${createdAt})`);
      continue;
    }
    report.removed.push(...(await removePodmanRun(runId)));
    const entry = index.find((e) => e.id.runId === runId);
    report.removed.push(...(await releaseLocalRun(runId, entry?.stateDir)));
  }
  return report;
}
