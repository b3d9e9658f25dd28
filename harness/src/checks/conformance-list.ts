import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { resolveRelease } from '../artifacts/build-artifacts.ts';
import { KvError } from '../contracts/errors.ts';
import { CONFORMANCE_FOCUS, CONFORMANCE_SKIP, CONFORMANCE_SKIPS } from './conformance.ts';
import { findE2eTools } from './e2e-runner.ts';

export interface ConformanceListing {
  kubernetes: string;
  // Every [Conformance] spec of the version's e2e suite, by full text.
  total: number;
  runs: string[];
  skipped: Array<{ spec: string; reason: string }>;
}

// The parts of ginkgo's JSON report this reads: one suite report with one entry per node.
interface GinkgoSpecReport {
  LeafNodeType?: string;
  LeafNodeText?: string;
  ContainerHierarchyTexts?: string[] | null;
  State?: string;
}

// The specs a dry run would have run, by the full text ginkgo matches --focus and --skip against.
export function selectedSpecs(report: unknown): string[] {
  const suites = Array.isArray(report) ? report : [];
  const specs: string[] = [];
  for (const suite of suites as Array<{ SpecReports?: GinkgoSpecReport[] }>) {
    for (const spec of suite.SpecReports ?? []) {
      if (spec.LeafNodeType !== 'It' || spec.State !== 'passed') continue;
      specs.push([...(spec.ContainerHierarchyTexts ?? []), spec.LeafNodeText ?? ''].join(' '));
    }
  }
  return specs.sort();
}

// Splits the whole conformance set into what the check runs and what it leaves out, with the
// reason of the first skip pattern that matches.
export function classifyConformance(kubernetes: string, all: string[], runs: string[]): ConformanceListing {
  const running = new Set(runs);
  const skipped = all
    .filter((spec) => !running.has(spec))
    .map((spec) => ({
      spec,
      reason:
        CONFORMANCE_SKIPS.find((s) => new RegExp(s.pattern).test(spec))?.reason ??
        'not selected by ginkgo (no skip pattern of the check matches)',
    }));
  return { kubernetes, total: all.length, runs: runs.filter((s) => all.includes(s)), skipped };
}

async function dryRun(e2eTest: string, dir: string, name: string, skip?: string): Promise<string[]> {
  const report = path.join(dir, `${name}.json`);
  const result = await execa(
    e2eTest,
    [
      '--ginkgo.dry-run',
      `--ginkgo.focus=${CONFORMANCE_FOCUS}`,
      ...(skip ? [`--ginkgo.skip=${skip}`] : []),
      `--ginkgo.json-report=${report}`,
      '--ginkgo.no-color',
    ],
    { cwd: dir, reject: false, all: true, timeout: 120_000 },
  );
  if (result.exitCode !== 0) {
    throw new KvError('TOOL_FAILED', `e2e.test --ginkgo.dry-run failed (exit ${result.exitCode})`, {
      hint: String(result.all ?? '')
        .split('\n')
        .slice(-5)
        .join('\n'),
    });
  }
  return selectedSpecs(JSON.parse(await readFile(report, 'utf8')));
}

// Asks the version's own e2e.test (a ginkgo dry run: nothing contacts a cluster) which
// [Conformance] specs exist and which of them the check's focus and skip select.
export async function listConformanceSet(kubernetes: string): Promise<ConformanceListing> {
  const tools = findE2eTools(kubernetes);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kvm-conformance-list-'));
  try {
    const all = await dryRun(tools.e2eTest, dir, 'all');
    const runs = await dryRun(tools.e2eTest, dir, 'selected', CONFORMANCE_SKIP);
    return classifyConformance(resolveRelease(kubernetes.replace(/^v/, '')).kubernetes, all, runs);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

// The listing as Markdown: counts, the skipped specs with their reason, then every spec that runs.
export function renderConformanceListing(listing: ConformanceListing): string {
  const lines = [
    `# The conformance set of Kubernetes ${listing.kubernetes} offline`,
    '',
    `Written by \`kvmatrix conformance list -k ${listing.kubernetes}\` from the artifact set's e2e.test (a ginkgo dry run).`,
    '',
    `${listing.total} \`[Conformance]\` specs: **${listing.runs.length} run** in the \`conformance\` check, ${listing.skipped.length} are left out.`,
    '',
    '## Left out, and why',
    '',
    '| spec | why |',
    '| --- | --- |',
    ...listing.skipped.map((s) => `| ${cell(s.spec)} | ${cell(s.reason)} |`),
    '',
    '## Run',
    '',
    ...listing.runs.map((s) => `- ${s}`),
    '',
  ];
  return lines.join('\n');
}
