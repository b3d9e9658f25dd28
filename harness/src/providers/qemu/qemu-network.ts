import { createHash } from 'node:crypto';
import { InfrastructureError } from '../../contracts/errors.ts';
import { LABEL_RUN } from '../../host/labels.ts';
import { runTool, runToolOk } from '../../host/run-tool.ts';
import {
  type AddressPlan,
  candidateSubnets,
  parseRoutedSubnets,
  planAddresses,
} from '../local/address-plan.ts';
import { addRunForwardRule, removeRunForwardRules } from '../local/run-firewall.ts';

// A Linux bridge per run with one tap per VM; the host holds the gateway address (where the VMs
// reach the artifact server). Interfaces carry the run id in their alias, for reap.

function short(runId: string): string {
  return createHash('sha256').update(runId).digest('hex').slice(0, 8);
}

export function bridgeName(runId: string): string {
  return `kvb-${short(runId)}`;
}

export function tapName(runId: string, index: number): string {
  return `kvt-${short(runId)}-${index}`;
}

const alias = (runId: string) => `${LABEL_RUN}=${runId}`;

async function ip(args: string[], what: string): Promise<void> {
  await runToolOk('ip', args, {
    what,
    installHint: 'apt-get install iproute2',
    hint: 'making bridges and taps needs root (CAP_NET_ADMIN)',
  });
}

export async function createRunBridge(runId: string, count: number): Promise<AddressPlan> {
  const routes = await runTool('ip', ['-4', '-o', 'route', 'show', 'table', 'all']);
  const taken = parseRoutedSubnets(routes.stdout);
  const base = candidateSubnets(runId, taken)[0];
  if (!base) throw new InfrastructureError('no free /24 in 10.200.0.0-10.249.255.0 for the run network');
  const plan = planAddresses(base, count);
  const bridge = bridgeName(runId);
  await ip(['link', 'add', bridge, 'type', 'bridge'], `creating bridge ${bridge}`);
  await ip(['link', 'set', bridge, 'alias', alias(runId)], `labelling bridge ${bridge}`);
  await ip(['addr', 'add', `${plan.gateway}/${plan.prefix}`, 'dev', bridge], `addressing bridge ${bridge}`);
  await ip(['link', 'set', bridge, 'up'], `starting bridge ${bridge}`);
  // Bridged frames pass iptables when br_netfilter is on: let the run's own traffic through.
  await addRunForwardRule(runId, ['-i', bridge, '-o', bridge, '-j', 'ACCEPT']);
  return plan;
}

export async function createTap(runId: string, index: number): Promise<string> {
  const tap = tapName(runId, index);
  await ip(['tuntap', 'add', 'dev', tap, 'mode', 'tap'], `creating tap ${tap}`);
  await ip(['link', 'set', tap, 'alias', alias(runId)], `labelling tap ${tap}`);
  await ip(['link', 'set', tap, 'master', bridgeName(runId), 'up'], `attaching tap ${tap}`);
  return tap;
}

// Links labelled with a run id (all runs when none is given): name and run id.
export async function listRunLinks(runId?: string): Promise<Array<{ name: string; runId: string }>> {
  const out = await runTool('ip', ['-o', 'link', 'show']);
  const links: Array<{ name: string; runId: string }> = [];
  for (const line of out.stdout.split('\n')) {
    const name = /^\d+:\s+([^:@]+)/.exec(line)?.[1];
    const run = new RegExp(`alias ${LABEL_RUN.replace('.', '\\.')}=(\\S+)`).exec(line)?.[1];
    if (name && run && (!runId || run === runId)) links.push({ name, runId: run });
  }
  return links;
}

// Removes the run's taps, bridge and firewall rule; idempotent.
export async function removeRunNetwork(runId: string): Promise<string[]> {
  const removed: string[] = [];
  const links = await listRunLinks(runId);
  for (const link of links.sort((a, b) =>
    a.name.startsWith('kvt-') ? -1 : b.name.startsWith('kvt-') ? 1 : 0,
  )) {
    const result = await runTool('ip', ['link', 'del', link.name]);
    if (result.exitCode === 0) removed.push(`link ${link.name}`);
  }
  removed.push(...(await removeRunForwardRules(runId)));
  return removed;
}
