import { describe, expect, it } from 'vitest';
import { corednsPlugins, renderCorednsMain } from './coredns-main.ts';

describe('renderCorednsMain', () => {
  it("registers every plugin kubeadm's Corefile uses, in CoreDNS's plugin.cfg order", () => {
    const source = renderCorednsMain();
    const kubeadmCorefile = [
      'errors',
      'health',
      'ready',
      'kubernetes',
      'prometheus',
      'forward',
      'cache',
      'loop',
      'reload',
      'loadbalance',
    ];
    for (const directive of kubeadmCorefile) expect(source).toContain(`\t\t"${directive}",\n`);
    const order = corednsPlugins.map(([directive]) => directive);
    // A few orderings plugin.cfg fixes and CoreDNS depends on (health before errors, cache before forward).
    expect(order.indexOf('health')).toBeLessThan(order.indexOf('errors'));
    expect(order.indexOf('cache')).toBeLessThan(order.indexOf('kubernetes'));
    expect(order.indexOf('kubernetes')).toBeLessThan(order.indexOf('forward'));
  });

  it('imports the metrics package for the prometheus directive and no cloud DNS backends', () => {
    const source = renderCorednsMain();
    expect(source).toContain('_ "github.com/coredns/coredns/plugin/metrics"');
    expect(source).not.toMatch(/route53|azure|clouddns/);
    expect(source).toContain('coremain.Run()');
  });
});
