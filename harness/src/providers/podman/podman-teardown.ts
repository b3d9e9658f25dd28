import { LABEL_CREATED, LABEL_OWNER, LABEL_RUN } from '../../host/labels.ts';
import { removeRunForwardRules } from '../local/run-firewall.ts';
import { podman, podmanList } from './podman.ts';

// Removes every container, volume and network labelled with the run id; idempotent, and safe
// while `up` of the same run is still creating things (call again after it stops).
export async function removePodmanRun(runId: string): Promise<string[]> {
  const filter = `label=${LABEL_RUN}=${runId}`;
  const removed: string[] = [];
  const containers = await podmanList(['ps', '-a', '--filter', filter, '--format', '{{.Names}}']);
  if (containers.length > 0) {
    await podman(['rm', '--force', '--volumes', '--time', '0', ...containers], { timeoutMs: 120_000 });
    removed.push(...containers.map((c) => `container ${c}`));
  }
  const volumes = await podmanList(['volume', 'ls', '--filter', filter, '--format', '{{.Name}}']);
  if (volumes.length > 0) {
    await podman(['volume', 'rm', '--force', ...volumes]);
    removed.push(...volumes.map((v) => `volume ${v}`));
  }
  const networks = await podmanList(['network', 'ls', '--filter', filter, '--format', '{{.Name}}']);
  if (networks.length > 0) {
    await podman(['network', 'rm', '--force', ...networks]);
    removed.push(...networks.map((n) => `network ${n}`));
  }
  removed.push(...(await removeRunForwardRules(runId)));
  return removed;
}

export interface PodmanRunSummary {
  runId: string;
  createdAt: string | undefined;
  // The pid of the harness process that created the run (absent on runs made before the label).
  owner?: string;
  containers: string[];
}

// Every run that has podman resources on this host, with its creation time (from the label).
export async function listPodmanRuns(): Promise<PodmanRunSummary[]> {
  const runs = new Map<string, PodmanRunSummary>();
  const add = (runId: string, created: string | undefined, owner: string | undefined, container?: string) => {
    if (!runId || runId === '<no value>') return;
    const run: PodmanRunSummary = runs.get(runId) ?? { runId, createdAt: created, containers: [] };
    if (owner && owner !== '<no value>') run.owner = owner;
    if (created && created !== '<no value>' && (!run.createdAt || created < run.createdAt))
      run.createdAt = created;
    if (container) run.containers.push(container);
    runs.set(runId, run);
  };
  const fmt = (prefix: string) =>
    `${prefix}{{index .Labels "${LABEL_RUN}"}} {{index .Labels "${LABEL_CREATED}"}} {{index .Labels "${LABEL_OWNER}"}}`;
  for (const line of await podmanList([
    'ps',
    '-a',
    '--filter',
    `label=${LABEL_RUN}`,
    '--format',
    `${fmt('')} {{.Names}}`,
  ])) {
    const [runId = '', created, owner, name] = line.split(' ');
    add(runId, created, owner, name);
  }
  for (const line of await podmanList([
    'volume',
    'ls',
    '--filter',
    `label=${LABEL_RUN}`,
    '--format',
    fmt(''),
  ])) {
    const [runId = '', created, owner] = line.split(' ');
    add(runId, created, owner);
  }
  // `network ls` prints labels as one "k=v,k=v" string: read them by inspect.
  const networks = await podmanList([
    'network',
    'ls',
    '--filter',
    `label=${LABEL_RUN}`,
    '--format',
    '{{.Name}}',
  ]);
  if (networks.length > 0) {
    for (const line of await podmanList(['network', 'inspect', '--format', fmt(''), ...networks])) {
      const [runId = '', created, owner] = line.split(' ');
      add(runId, created, owner);
    }
  }
  return [...runs.values()];
}
