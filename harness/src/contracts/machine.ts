// The machines of a cell as the matrix describes them and a provider makes them: the contract
// between the matrix (layouts, machine sizes) and the providers, which never read the matrix.

// `managed`: a machine the harness leaves to the operator under test (layout `mgmt-*`): left out of
// the inventory; its other roles are the ones it plays in the operator's workload cluster.
export type NodeRole = 'control-plane' | 'worker' | 'etcd' | 'managed';

// Whether a layout node is left to the operator under test (see `managed` above).
export function isManaged(node: { roles: readonly NodeRole[] }): boolean {
  return node.roles.includes('managed');
}

export interface MachineSize {
  cpus: number;
  memoryMiB: number;
  diskGiB: number;
}

// One machine a provider is asked for.
export interface MachineSpec extends MachineSize {
  name: string;
  roles: NodeRole[];
  os: string;
}

// Who a set of machines belongs to. Every resource a provider creates carries these as labels
// (or names), so it can be found and reaped after the run that made it is gone.
export interface RunIdentity {
  runId: string;
  cell: string;
  pipeline?: string;
  job?: string;
}
