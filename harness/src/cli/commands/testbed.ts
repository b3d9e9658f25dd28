import type { Command } from 'commander';
import { currentMinor } from '../../artifacts/versions.ts';
import { UsageError } from '../../contracts/errors.ts';
import { startControlPlane } from '../../testbed/control-plane.ts';
import { listTestbedStates, tearDownTestbed } from '../../testbed/testbed-state.ts';

function parsePort(value: string): number {
  const port = Number.parseInt(value, 10);
  if (!Number.isInteger(port) || port < 1 || port > 65535 || String(port) !== value) {
    throw new UsageError(`--port: expected a TCP port 1-65535, got "${value}"`);
  }
  return port;
}

// `kvmatrix testbed up|down|list`: a real control plane on loopback for people, left running.
export function registerTestbedCommand(program: Command): void {
  const testbed = program
    .command('testbed')
    .description('Start or stop a local etcd + kube-apiserver + kube-controller-manager on loopback');

  testbed
    .command('up')
    .description('Start a control plane and leave it running; the last line printed is KUBECONFIG=<path>')
    .option('-k, --kubernetes <version>', 'Kubernetes version of the artifact set', currentMinor)
    .option('-p, --port <port>', 'kube-apiserver port on 127.0.0.1 (default: a free one)', parsePort)
    .option('--no-controller-manager', 'run without kube-controller-manager')
    .action(async (opts: { kubernetes: string; port?: number; controllerManager: boolean }) => {
      const plane = await startControlPlane({
        kubernetes: opts.kubernetes,
        attached: false,
        controllerManager: opts.controllerManager,
        ...(opts.port === undefined ? {} : { apiserverPort: opts.port }),
      });
      process.stdout.write(`# ${plane.id} at ${plane.server}; stop it with: kvmatrix testbed down\n`);
      process.stdout.write(`KUBECONFIG=${plane.kubeconfig}\n`);
    });

  testbed
    .command('down')
    .description('Stop control planes started with `testbed up` (all of them, or the one named)')
    .argument('[id]', 'the id printed by `testbed up`')
    .action(async (id?: string) => {
      const states = (await listTestbedStates()).filter((s) => (id ? s.id === id : s.ownerPid === null));
      if (id && !states.length)
        throw new UsageError(`no running testbed named ${id}`, { hint: 'kvmatrix testbed list' });
      for (const state of states) {
        await tearDownTestbed(state);
        process.stdout.write(`stopped ${state.id}\n`);
      }
      if (!states.length) process.stdout.write('no testbed running\n');
    });

  testbed
    .command('list')
    .description('List running control planes')
    .action(async () => {
      for (const s of await listTestbedStates()) {
        const owner = s.ownerPid === null ? 'testbed up' : `process ${s.ownerPid}`;
        process.stdout.write(`${s.id}\t${s.server}\t${owner}\tKUBECONFIG=${s.kubeconfig}\n`);
      }
    });
}
