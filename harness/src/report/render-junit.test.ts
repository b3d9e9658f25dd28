import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { renderJunit, renderPipelineJunit } from './render-junit.ts';
import { loadFixtureReport } from './test/pipeline-fixture.ts';

// Python's XML parser (python3 is part of every Debian install) proves the documents well-formed.
async function expectWellFormed(xml: string): Promise<void> {
  const check =
    'import sys, xml.dom.minidom; d = xml.dom.minidom.parseString(sys.stdin.buffer.read()); print(d.documentElement.tagName)';
  const { stdout } = await execa('python3', ['-c', check], { input: xml });
  expect(stdout.trim()).toBe('testsuites');
}

describe('renderJunit', () => {
  it('writes a testcase per step and per check, with the failing check as a failure', async () => {
    const report = await loadFixtureReport();
    const cell = report.cells.find((c) => c.name === 'ubuntu-24.04-1.34.4-containerd-cilium-ha-3cp-deploy');
    const xml = renderJunit(cell?.record ?? expect.fail('fixture cell missing'));
    await expectWellFormed(xml);
    expect(xml.match(/<testcase /g)).toHaveLength(6); // the deploy step and its five checks
    expect(xml).toContain('name="deploy / check pod-network"');
    expect(xml).toMatch(/<failure message="pod kvmatrix-probe-7d9 on node-2 cannot reach[^"]*">/);
    expect(xml).toContain('tests="6" failures="2" errors="0"');
  });

  it('reports a cell that failed before any step as an error testcase with the reason', async () => {
    const report = await loadFixtureReport();
    const cell = report.cells.find((c) => c.status === 'infra-failed');
    const xml = renderJunit(cell?.record ?? expect.fail('fixture cell missing'));
    expect(xml).toContain('<error message="VM kvm-node-2 got no IP address');
  });

  it('escapes markup and drops characters XML cannot carry', async () => {
    const report = await loadFixtureReport();
    const record = structuredClone(report.cells[0]?.record ?? expect.fail('no record'));
    record.outcome = 'failed';
    const step = record.steps[0] ?? expect.fail('no step');
    step.outcome = 'failed';
    step.message = 'fatal: <node-1> "x" & \u0007bell';
    const xml = renderJunit(record);
    await expectWellFormed(xml);
    expect(xml).toContain('fatal: &lt;node-1&gt; &quot;x&quot; &amp; bell');
  });
  it('renders every spec of an e2e check as a testcase of its own, with its time and failure', async () => {
    const report = await loadFixtureReport();
    const record = structuredClone(report.cells[0]?.record ?? expect.fail('no record'));
    const step = record.steps[0] ?? expect.fail('no step');
    step.checks.push({
      id: 'e2e',
      name: 'e2e',
      outcome: 'failed',
      durationMs: 90_000,
      specCounts: { selected: 2, passed: 1, failed: 1, skipped: 0, notSelected: 7000 },
      specs: [
        {
          name: '[sig-network] Networking Granular Checks: Pods should function for intra-pod communication: http',
          outcome: 'passed',
          durationMs: 21_250,
        },
        {
          name: '[sig-network] Networking Granular Checks: Services should function for pod-Service: udp',
          outcome: 'failed',
          durationMs: 62_100,
          message: 'failed dialing endpoint',
        },
      ],
    });
    const xml = renderJunit(record);
    await expectWellFormed(xml);
    expect(xml).toContain(
      `name="${step.id} / e2e / [sig-network] Networking Granular Checks: Pods should function for intra-pod communication: http" classname="${record.cell}.e2e" time="21.250"`,
    );
    expect(xml).toMatch(
      /pod-Service: udp" classname="[^"]+\.e2e" time="62\.100">\n\s+<failure message="failed dialing endpoint">/,
    );
  });
});

describe('renderPipelineJunit', () => {
  it('has a suite per planned cell, missing cells as errors and quarantined failures as skipped', async () => {
    const report = await loadFixtureReport();
    const xml = renderPipelineJunit(report);
    await expectWellFormed(xml);
    expect(xml.match(/<testsuite /g)).toHaveLength(36);
    expect(xml).toMatch(/<error message="missing: no result record for this planned cell/);
    const quarantined = xml.slice(xml.indexOf('name="rocky-9-1.34.4-containerd-cilium-ha-3cp-deploy"'));
    expect(quarantined.slice(0, quarantined.indexOf('</testsuite>'))).toMatch(
      /<skipped message="quarantined \(https:/,
    );
  });
});
