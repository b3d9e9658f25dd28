import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseGinkgoJunit, summarizeCounts } from './e2e-junit.ts';
import { renderRepoList } from './e2e-repo-list.ts';
import { buildGinkgoArgs } from './e2e-runner.ts';

const fixture = readFileSync(new URL('./test/fixtures/e2e/ginkgo-junit.xml', import.meta.url), 'utf8');

describe('parseGinkgoJunit', () => {
  it('counts the specs that ran and the ones the focus left out, keeping suite nodes out', () => {
    const { counts } = parseGinkgoJunit(fixture);
    expect(counts).toEqual({ selected: 3, passed: 1, failed: 1, skipped: 1, notSelected: 2 });
    expect(summarizeCounts(counts)).toBe(
      '1 passed, 1 failed, 1 skipped of 3 selected specs (2 not selected)',
    );
  });

  it('keeps every spec that ran or skipped itself with its duration and reason', () => {
    const { specs } = parseGinkgoJunit(fixture);
    expect(specs.map((s) => [s.outcome, s.durationMs])).toEqual([
      ['passed', 21250],
      ['failed', 62100],
      ['skipped', 500],
    ]);
    expect(specs[0]?.name).toBe(
      '[sig-network] Networking Granular Checks: Pods should function for intra-pod communication: http [NodeConformance] [Conformance]',
    );
    expect(specs[1]?.message).toBe(
      'failed dialing endpoint, did not find expected responses... \nTries 34\nCommand curl -g -q -s',
    );
    expect(specs[2]?.message).toBe('Requires at least 2 nodes (not 1)');
  });

  it('reports a failed suite node (BeforeSuite) as a failure of its own', () => {
    const broken = fixture.replace(
      '<testcase name="[SynchronizedBeforeSuite]" classname="Kubernetes e2e suite" status="passed" time="0.4"></testcase>',
      '<testcase name="[SynchronizedBeforeSuite]" classname="Kubernetes e2e suite" status="failed" time="300"><failure message="timed out waiting for nodes" type="failed">x</failure></testcase>',
    );
    const { counts, specs } = parseGinkgoJunit(broken);
    expect(counts.failed).toBe(2);
    expect(specs[0]).toEqual({
      name: '[SynchronizedBeforeSuite]',
      outcome: 'failed',
      durationMs: 300000,
      message: 'timed out waiting for nodes',
    });
  });

  it('reads a report without testcases as an empty run', () => {
    expect(parseGinkgoJunit('<testsuites tests="0"></testsuites>').counts.selected).toBe(0);
  });
});

describe('renderRepoList', () => {
  it("points the e2e framework's registries at the mirror and keeps the invalid one invalid", () => {
    const list = parse(renderRepoList('10.88.0.1:5000')) as Record<string, string>;
    expect(list.promoterE2eRegistry).toBe('10.88.0.1:5000/e2e-test-images');
    expect(list.gcRegistry).toBe('10.88.0.1:5000/kubernetes');
    expect(list.invalidRegistry).toBe('invalid.registry.k8s.io/invalid');
    const keys = Object.keys(list);
    // Every key of RegistryList in test/utils/image/manifest.go of Kubernetes 1.34.
    expect(keys.sort()).toEqual(
      [
        'gcAuthenticatedRegistry',
        'promoterE2eRegistry',
        'buildImageRegistry',
        'invalidRegistry',
        'gcEtcdRegistry',
        'gcRegistry',
        'sigStorageRegistry',
        'privateRegistry',
        'dockerLibraryRegistry',
        'cloudProviderGcpRegistry',
      ].sort(),
    );
    for (const key of keys.filter((k) => k !== 'invalidRegistry'))
      expect(list[key]).toMatch(/^10\.88\.0\.1:5000\//);
  });

  it('refuses something that is not host:port', () => {
    expect(() => renderRepoList('http://10.0.0.1:5000')).toThrowError(/expected a registry as host:port/);
  });
});

describe('buildGinkgoArgs', () => {
  it("passes ginkgo's flags before the binary and e2e.test's after --", () => {
    const args = buildGinkgoArgs(
      { e2eTest: '/a/e2e.test', ginkgo: '/a/ginkgo' },
      { label: 'x', focus: 'F', skip: 'S', procs: 3, timeoutMs: 600_000 },
      { dir: '/tmp/d', kubeconfig: '/tmp/d/kubeconfig', kubectl: '/a/kubectl', numNodes: 2 },
    );
    const split = args.indexOf('--');
    expect(args[split - 1]).toBe('/a/e2e.test');
    expect(args.slice(0, split)).toEqual(
      expect.arrayContaining([
        '--procs=3',
        '--focus=F',
        '--skip=S',
        '--timeout=600s',
        '--junit-report=junit.xml',
      ]),
    );
    expect(args.slice(split)).toEqual(
      expect.arrayContaining([
        '--kubeconfig=/tmp/d/kubeconfig',
        '--provider=skeleton',
        '--kubectl-path=/a/kubectl',
      ]),
    );
  });
});
