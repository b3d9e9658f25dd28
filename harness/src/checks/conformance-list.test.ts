import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { artifactDir, resolveRelease } from '../artifacts/build-artifacts.ts';
import {
  classifyConformance,
  listConformanceSet,
  renderConformanceListing,
  selectedSpecs,
} from './conformance-list.ts';

// A ginkgo JSON report of a dry run, cut down to the fields the listing reads (one suite node and
// one skipped spec besides the selected ones).
const report = [
  {
    SpecReports: [
      { LeafNodeType: 'ReportBeforeSuite', LeafNodeText: '', State: 'passed' },
      {
        LeafNodeType: 'It',
        ContainerHierarchyTexts: ['[sig-apps] Daemon set [Serial]'],
        LeafNodeText: 'should run and stop simple daemon [Conformance]',
        State: 'passed',
      },
      {
        LeafNodeType: 'It',
        ContainerHierarchyTexts: ['[sig-network] Services'],
        LeafNodeText: 'should serve a basic endpoint from pods  [Conformance]',
        State: 'passed',
      },
      {
        LeafNodeType: 'It',
        ContainerHierarchyTexts: ['[sig-api-machinery] Aggregator'],
        LeafNodeText:
          'Should be able to support the 1.17 Sample API Server using the current Aggregator [Conformance]',
        State: 'passed',
      },
      { LeafNodeType: 'It', ContainerHierarchyTexts: ['[sig-x] Y'], LeafNodeText: 'z', State: 'skipped' },
    ],
  },
];

describe('the conformance listing', () => {
  it("reads the specs a dry run selected, by ginkgo's full text", () => {
    expect(selectedSpecs(report)).toEqual([
      '[sig-api-machinery] Aggregator Should be able to support the 1.17 Sample API Server using the current Aggregator [Conformance]',
      '[sig-apps] Daemon set [Serial] should run and stop simple daemon [Conformance]',
      '[sig-network] Services should serve a basic endpoint from pods  [Conformance]',
    ]);
    expect(selectedSpecs({ not: 'a report' })).toEqual([]);
  });

  it('gives every spec left out the reason of the skip pattern that matches it', () => {
    const all = selectedSpecs(report);
    const runs = [all[2] as string];
    const listing = classifyConformance('1.34.4', all, runs);
    expect(listing.total).toBe(3);
    expect(listing.runs).toEqual(runs);
    expect(listing.skipped.map((s) => s.reason)).toEqual([
      expect.stringContaining('sample-apiserver image'),
      expect.stringContaining('serial pass'),
    ]);
    const markdown = renderConformanceListing(listing);
    expect(markdown).toContain('3 `[Conformance]` specs: **1 run**');
    expect(markdown).toContain(
      '| [sig-apps] Daemon set [Serial] should run and stop simple daemon [Conformance] |',
    );
  });

  it('names a spec that ginkgo left out although no pattern of the check matches it', () => {
    const listing = classifyConformance('1.34.4', ['[sig-x] odd [Conformance]'], []);
    expect(listing.skipped[0]?.reason).toMatch(/no skip pattern of the check matches/);
  });

  // The e2e tools are opt-in in set-up (KVMATRIX_ARTIFACT_E2E); where they are built, the real dry run.
  const built = existsSync(path.join(artifactDir(resolveRelease('1.34').kubernetes), 'bin', 'e2e.test'));
  it.skipIf(!built)("lists Kubernetes 1.34's conformance set from its own e2e.test", async () => {
    const listing = await listConformanceSet('1.34');
    expect(listing.kubernetes).toBe('1.34.4');
    expect(listing.total).toBe(424);
    expect(listing.runs.length + listing.skipped.length).toBe(424);
    expect(listing.runs.some((s) => s.includes('[Serial]') || s.includes('[Disruptive]'))).toBe(false);
    expect(listing.skipped.every((s) => !s.reason.startsWith('not selected'))).toBe(true);
  });
});
