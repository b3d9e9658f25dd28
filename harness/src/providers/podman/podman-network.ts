import { InfrastructureError } from '../../contracts/errors.ts';
import { runTool } from '../../host/run-tool.ts';
import {
  type AddressPlan,
  candidateSubnets,
  parseRoutedSubnets,
  planAddresses,
} from '../local/address-plan.ts';
import { isolateRunBridge } from '../local/run-firewall.ts';
import { podman } from './podman.ts';

export function networkName(runId: string): string {
  return `kvm-${runId}`;
}

// Subnets the host routes. Podman networks without a running container have no route: podman
// itself refuses a subnet another of its networks holds ("subnet ... is already used"), and the
// loop below then takes the next candidate; asking podman for every network's subnets up front
// cost two more podman processes on every `up`.
async function takenSubnets(): Promise<string[]> {
  const routes = await runTool('ip', ['-4', '-o', 'route', 'show', 'table', 'all']);
  return parseRoutedSubnets(routes.stdout);
}

// Creates the run's private bridge network on a /24 no other network or route uses; retries on
// the next candidate when a parallel run took the same one first.
export async function createRunNetwork(
  runId: string,
  count: number,
  labels: Record<string, string>,
): Promise<AddressPlan> {
  const name = networkName(runId);
  const labelArgs = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  let lastError = '';
  for (const base of (await candidateSubnets(runId, await takenSubnets())).slice(0, 8)) {
    const plan = planAddresses(base, count);
    const result = await podman([
      'network',
      'create',
      '--driver',
      'bridge',
      '--subnet',
      plan.subnet,
      '--gateway',
      plan.gateway,
      '--disable-dns',
      ...labelArgs,
      name,
    ]);
    if (result.exitCode === 0) {
      const bridge = (
        await podman(['network', 'inspect', '--format', '{{.NetworkInterface}}', name])
      ).stdout.trim();
      if (!bridge) throw new InfrastructureError(`podman network ${name} has no bridge interface`);
      await isolateRunBridge(runId, bridge);
      return plan;
    }
    lastError = result.stderr.trim();
    if (!/subnet/i.test(lastError)) break;
  }
  throw new InfrastructureError(`could not create the podman network ${name}: ${lastError}`, {
    hint: 'check `podman network ls` and free /24s in 10.200.0.0/10; as root, podman needs the CNI plugins (containernetworking-plugins)',
  });
}
