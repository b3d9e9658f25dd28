import { LABEL_RUN } from '../../host/labels.ts';
import { runTool } from '../../host/run-tool.ts';

// Host firewall rules of a run, in the FORWARD chain, each marked with a comment carrying the run
// id (kvmatrix.io/run-id=<id>) so that down and reap find them.
export function runComment(runId: string): string {
  return `${LABEL_RUN}=${runId}`;
}

// Inserts `match -j target` at the top of FORWARD, marked with the run.
export async function addRunForwardRule(runId: string, rule: string[]): Promise<void> {
  await runTool('iptables', ['-I', 'FORWARD', ...rule, '-m', 'comment', '--comment', runComment(runId)]);
}

// The run's machines reach each other and the host (the artifact server: the host's input, not
// forwarding) and nothing beyond: as in the offline lab they model. Without it, the lab network
// here answers any address on ports 80 and 443 (even a service IP that left a node untranslated),
// which a real network does not (conformance found it: a removed Service port still "answered").
export async function isolateRunBridge(runId: string, bridge: string): Promise<void> {
  await addRunForwardRule(runId, [
    '-i',
    bridge,
    '!',
    '-o',
    bridge,
    '-j',
    'REJECT',
    '--reject-with',
    'icmp-net-unreachable',
  ]);
}

// Removes every FORWARD rule marked with the run; idempotent. Returns what it removed.
export async function removeRunForwardRules(runId: string): Promise<string[]> {
  const removed: string[] = [];
  const comment = runComment(runId);
  const rules = await runTool('iptables', ['-S', 'FORWARD']).catch(() => undefined);
  for (const line of rules?.stdout.split('\n') ?? []) {
    if (!line.includes(`"${comment}"`) && !line.includes(` ${comment} `) && !line.endsWith(comment)) continue;
    const args =
      line
        .replace(/^-A /, '-D ')
        .match(/"[^"]*"|\S+/g)
        ?.map((a) => a.replace(/^"|"$/g, '')) ?? [];
    if ((await runTool('iptables', args)).exitCode === 0) removed.push(`iptables rule ${line}`);
  }
  return removed;
}
