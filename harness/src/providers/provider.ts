import type { MachineSpec, RunIdentity } from '../contracts/machine.ts';
import type { PhaseTiming } from '../contracts/result-record.ts';
import type { SshTarget } from '../host/ssh.ts';

// A machine the provider has made ready: reachable by SSH, with its address on the private
// network that the inventory uses. `facts` reach the inventory as host variables (for example
// `kvmatrix_node_is_container: true`) so the deployment code handles them openly.
export interface Machine {
  name: string;
  address: string;
  sshHost: string;
  sshPort: number;
  sshUser: string;
  sshKeyFile: string;
  facts: Record<string, unknown>;
}

// How the host reaches a machine over SSH.
export function sshTargetOf(machine: Machine): SshTarget {
  return { host: machine.sshHost, port: machine.sshPort, user: machine.sshUser, keyFile: machine.sshKeyFile };
}

export interface UpRequest {
  id: RunIdentity;
  machines: MachineSpec[];
  // A directory the provider owns for this run (keys, overlays, state); it survives for `down`.
  stateDir: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface UpResult {
  machines: Machine[];
  phases: PhaseTiming[];
  // Where the machines reach the offline artifact set (file server and registry mirror).
  artifactHost?: string;
}

export interface PreflightCheck {
  name: string;
  ok: boolean;
  detail: string;
  hint?: string;
}

export interface ReapOptions {
  runId?: string;
  olderThanMs?: number;
  // Also remove runs left on purpose by `kvmatrix run --keep`.
  includeKept?: boolean;
}

export interface ReapReport {
  removed: string[];
  kept: string[];
}

// The one provider interface (after kubetest2 deployers and Molecule drivers). `down` and
// `reap` are idempotent and safe to call for a run that never finished `up`.
export interface Provider {
  readonly name: string;
  preflight(machines: MachineSpec[]): Promise<PreflightCheck[]>;
  up(request: UpRequest): Promise<UpResult>;
  down(id: RunIdentity, stateDir: string): Promise<void>;
  dumpLogs(id: RunIdentity, stateDir: string, outDir: string): Promise<string[]>;
  reap(options: ReapOptions): Promise<ReapReport>;
}
