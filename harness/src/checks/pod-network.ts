import { type Check, CheckFailure } from './check.ts';
import { ensureProbeWorkload, fetchFromPod, PROBE_PORT } from './probe-workload.ts';

// Every probe pod reaches every other probe pod (and itself) by pod IP: pod-to-pod traffic
// across every pair of nodes, the network plugin's one job.
export const podNetworkCheck: Check = {
  id: 'pod-network',
  title: 'pod-to-pod traffic across every pair of nodes',
  async run(ctx) {
    const pods = await ensureProbeWorkload(ctx);
    const lines: string[] = [];
    const failures: string[] = [];
    for (const from of pods) {
      for (const to of pods) {
        const r = await fetchFromPod(ctx, from.name, `http://${to.ip}:${PROBE_PORT}/`);
        const ok = r.ok && r.output === to.node;
        const line = `${from.node} -> ${to.node} (${to.ip}): ${ok ? 'ok' : `FAILED ${r.output}`}`;
        lines.push(line);
        if (!ok) failures.push(line);
      }
    }
    if (failures.length) {
      throw new CheckFailure(
        `${failures.length} of ${lines.length} pod-to-pod paths failed: ${failures[0]}`,
        lines.join('\n'),
      );
    }
    return lines.join('\n');
  },
};
