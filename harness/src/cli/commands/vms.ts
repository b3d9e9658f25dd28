import type { Command } from 'commander';
import { UsageError } from '../../contracts/errors.ts';
import type { MachineSpec, RunIdentity } from '../../contracts/machine.ts';
import { newRunId } from '../../host/labels.ts';
import { createLineProgress } from '../../host/progress.ts';
import { DEFAULT_OS } from '../../providers/local/golden-image.ts';
import { renderInventory } from '../../providers/local/inventory.ts';
import { createProvider } from '../../providers/registry.ts';
import { selectProvider } from '../../providers/select-provider.ts';
import {
  assertVmSetName,
  listVmSets,
  readVmSet,
  removeVmSet,
  vmSetDir,
  writeVmSet,
} from '../../providers/vm-sets.ts';

interface UpOptions {
  provider: string;
  count: string;
  name: string;
  os: string;
  cpus: string;
  memory: string;
  disk: string;
}

function positiveInt(value: string, flag: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new UsageError(`${flag} "${value}" is not valid: expected an integer from 1 to ${max}`);
  }
  return n;
}

async function vmsUp(options: UpOptions): Promise<void> {
  assertVmSetName(options.name);
  const count = positiveInt(options.count, '--count', 64);
  if (await readVmSet(options.name)) {
    throw new UsageError(`a machine set named "${options.name}" exists already`, {
      hint: `kvmatrix vms down --name ${options.name}, or pick another --name`,
    });
  }
  const machines: MachineSpec[] = Array.from({ length: count }, (_, i) => ({
    name: `${options.name}-${i + 1}`,
    roles: [],
    os: options.os,
    cpus: positiveInt(options.cpus, '--cpus', 64),
    memoryMiB: positiveInt(options.memory, '--memory', 262_144),
    diskGiB: positiveInt(options.disk, '--disk', 1024),
  }));
  const log = createLineProgress('vms');
  const choice = await selectProvider(options.provider, machines);
  log(choice.message);
  const id: RunIdentity = { runId: newRunId(), cell: `vms-${options.name}` };
  const stateDir = vmSetDir(options.name);
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const started = Date.now();
    const result = await choice.provider.up({ id, machines, stateDir, signal: abort.signal, log });
    log(`${count} machine(s) ready in ${((Date.now() - started) / 1000).toFixed(1)} s (run ${id.runId})`);
    await writeVmSet({
      name: options.name,
      provider: choice.provider.name,
      id,
      createdAt: new Date().toISOString(),
      stateDir,
      machines: result.machines,
      ...(result.artifactHost ? { artifactHost: result.artifactHost } : {}),
    });
    const vars = result.artifactHost ? { kvmatrix_artifact_host: result.artifactHost } : {};
    process.stdout.write(renderInventory(result.machines, vars));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function vmsList(): Promise<void> {
  const sets = await listVmSets();
  if (sets.length === 0) {
    process.stdout.write('no machine sets (kvmatrix vms up --count N --name X makes one)\n');
    return;
  }
  for (const set of sets) {
    process.stdout.write(`${set.name}\t${set.provider}\trun ${set.id.runId}\tsince ${set.createdAt}\n`);
    for (const m of set.machines) {
      process.stdout.write(
        `  ${m.name}\t${m.address}\tssh -i ${m.sshKeyFile} -p ${m.sshPort} ${m.sshUser}@${m.sshHost}\n`,
      );
    }
  }
}

async function vmsDown(options: { name: string }): Promise<void> {
  assertVmSetName(options.name);
  const set = await readVmSet(options.name);
  if (!set) {
    throw new UsageError(`no machine set named "${options.name}"`, {
      hint: 'kvmatrix vms list shows the sets',
    });
  }
  const provider = await createProvider(set.provider);
  await provider.down(set.id, set.stateDir);
  await removeVmSet(options.name);
  createLineProgress('vms')(`removed ${set.machines.length} machine(s) of ${options.name}`);
}

async function vmsInventory(options: { name: string }): Promise<void> {
  const set = await readVmSet(options.name);
  if (!set) throw new UsageError(`no machine set named "${options.name}"`, { hint: 'kvmatrix vms list' });
  process.stdout.write(
    renderInventory(set.machines, set.artifactHost ? { kvmatrix_artifact_host: set.artifactHost } : {}),
  );
}

// `kvmatrix vms`: machines on demand, shaped like CI's, from a local provider.
export function registerVmsCommand(program: Command): void {
  const vms = program.command('vms').description('make, list and remove machines from a local provider');
  vms
    .command('up')
    .description('start N machines and print an Ansible inventory (YAML) for them')
    .option('--provider <name>', 'podman, qemu or auto (the fastest that works here)', 'auto')
    .option('--count <n>', 'how many machines', '1')
    .requiredOption('--name <name>', 'name of the machine set (prefix of the host names)')
    .option('--os <os>', 'node OS: debian12, debian13', DEFAULT_OS)
    .option('--cpus <n>', 'vCPUs per machine (qemu)', '2')
    .option('--memory <MiB>', 'memory per machine in MiB (qemu)', '1024')
    .option('--disk <GiB>', 'disk per machine in GiB (qemu)', '10')
    .action(vmsUp);
  vms.command('list').description('list machine sets and how to reach their machines').action(vmsList);
  vms
    .command('down')
    .description('remove a machine set and everything it made')
    .requiredOption('--name <name>', 'name of the machine set')
    .action(vmsDown);
  vms
    .command('inventory')
    .description('print the Ansible inventory of a machine set again')
    .requiredOption('--name <name>', 'name of the machine set')
    .action(vmsInventory);
}
