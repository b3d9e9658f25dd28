import { createHash } from 'node:crypto';

// The private network of one run: a /24 with the host (gateway) at .1 and machines from .10.
export interface AddressPlan {
  subnet: string;
  prefix: number;
  gateway: string;
  addresses: string[];
}

// Ranges a machine network must never take: the playbooks' default pod subnet
// (cluster_pod_subnet), which their validation rejects when it overlaps the node network.
export const RESERVED_SUBNETS = ['10.244.0.0/16'];

// Candidate /24s in 10.200.0.0-10.249.255.0 (minus RESERVED_SUBNETS), starting from a hash of the
// run id so that parallel runs rarely pick the same one; `taken` lists subnets (CIDR) already in
// use on the host.
export function candidateSubnets(runId: string, taken: string[], count = 32): string[] {
  const used = new Set(taken.map((cidr) => cidr.split('/')[0]));
  const usedWide = [...RESERVED_SUBNETS, ...taken.filter((cidr) => Number(cidr.split('/')[1]) < 24)];
  const start = createHash('sha256').update(runId).digest().readUInt32BE(0) % (50 * 256);
  const out: string[] = [];
  for (let i = 0; i < 50 * 256 && out.length < count; i += 1) {
    const n = (start + i) % (50 * 256);
    const base = `10.${200 + Math.floor(n / 256)}.${n % 256}.0`;
    if (used.has(base) || usedWide.some((cidr) => containsAddress(cidr, base))) continue;
    out.push(base);
  }
  return out;
}

export function planAddresses(subnetBase: string, count: number): AddressPlan {
  if (count > 240) throw new RangeError(`at most 240 machines per run, asked for ${count}`);
  const prefix = subnetBase.split('.').slice(0, 3).join('.');
  return {
    subnet: `${subnetBase}/24`,
    prefix: 24,
    gateway: `${prefix}.1`,
    addresses: Array.from({ length: count }, (_, i) => `${prefix}.${10 + i}`),
  };
}

function toNumber(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function containsAddress(cidr: string, ip: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(toNumber(base) / size) * size;
  const n = toNumber(ip);
  return n >= start && n < start + size;
}

// Subnets the host already routes (from `ip -4 -o route`), so a run's network never shadows one.
export function parseRoutedSubnets(ipRouteOutput: string): string[] {
  const out: string[] = [];
  for (const line of ipRouteOutput.split('\n')) {
    const first = line.trim().split(/\s+/)[0] ?? '';
    if (/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(first)) out.push(first);
  }
  return out;
}
