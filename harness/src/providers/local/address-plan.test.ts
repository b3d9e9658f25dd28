import { describe, expect, it } from 'vitest';
import { candidateSubnets, containsAddress, parseRoutedSubnets, planAddresses } from './address-plan.ts';

describe('the address plan of a run network', () => {
  it('puts the gateway at .1 and machines from .10', () => {
    const plan = planAddresses('10.201.7.0', 3);
    expect(plan).toEqual({
      subnet: '10.201.7.0/24',
      prefix: 24,
      gateway: '10.201.7.1',
      addresses: ['10.201.7.10', '10.201.7.11', '10.201.7.12'],
    });
  });

  it('derives the same first candidate from the same run id and different ones from others', () => {
    expect(candidateSubnets('r1', [])[0]).toBe(candidateSubnets('r1', [])[0]);
    const firsts = new Set(['r1', 'r2', 'r3', 'r4', 'r5'].map((id) => candidateSubnets(id, [])[0]));
    expect(firsts.size).toBeGreaterThan(3);
  });

  it('skips subnets that are taken exactly or inside a wider route', () => {
    const first = candidateSubnets('abc', [])[0] ?? '';
    expect(candidateSubnets('abc', [`${first}/24`])).not.toContain(first);
    const wide = `${first.split('.').slice(0, 2).join('.')}.0.0/16`;
    for (const subnet of candidateSubnets('abc', [wide])) expect(containsAddress(wide, subnet)).toBe(false);
  });

  it('never offers a subnet inside the playbooks default pod subnet 10.244.0.0/16', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `run${i}`);
    const all = ids.flatMap((id) => candidateSubnets(id, [], 64));
    expect(all.some((subnet) => subnet.startsWith('10.243.'))).toBe(true);
    expect(all.filter((subnet) => containsAddress('10.244.0.0/16', subnet))).toEqual([]);
  });

  it('reads routed subnets from ip route output and ignores the default route', () => {
    const out =
      'default via 192.0.2.1 dev eth0\n192.0.2.0/24 dev eth0 proto kernel\n10.88.0.0/16 dev cni-podman0';
    expect(parseRoutedSubnets(out)).toEqual(['192.0.2.0/24', '10.88.0.0/16']);
  });
});
