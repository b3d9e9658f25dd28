import { readRunIndex } from '../../host/run-index.ts';
import { listRegisteredRuns } from '../local/host-sysctls.ts';
import { releaseLocalRun } from '../local/local-run.ts';
import { reasonToKeep } from '../local/reap-policy.ts';
import type { ReapOptions, ReapReport } from '../provider.ts';
import { listPodmanRuns, removePodmanRun } from './podman-teardown.ts';

// Removes what dead podman runs left (containers, volumes, networks, state dirs, sysctl
// registrations), found by the run label (LABEL_RUN) and the host's run index. A run whose harness
// process is alive, kept by --keep, or younger than `olderThanMs` is kept (common/reap-policy.ts).
export async function reapPodman(options: ReapOptions): Promise<ReapReport> {
  const report: ReapReport = { removed: [], kept: [] };
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
    const entry = index.find((e) => e.id.runId === runId);
    const why = reasonToKeep(
      {
        provider: 'podman',
        runId,
        owner: owners.get(runId) ?? (entry ? String(entry.pid) : undefined),
        ...(createdAt ? { createdAtMs: Date.parse(createdAt) } : {}),
        kept: entry?.kept ?? false,
      },
      options,
    );
    if (why) {
      report.kept.push(why);
      continue;
    }
    report.removed.push(...(await removePodmanRun(runId)));
    report.removed.push(...(await releaseLocalRun(runId, entry?.stateDir)));
  }
  return report;
}
