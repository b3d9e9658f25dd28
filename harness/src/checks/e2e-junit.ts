import { XMLParser } from 'fast-xml-parser';
import type { Outcome, SpecCounts, SpecResult } from '../contracts/result-record.ts';

// Reads the JUnit report ginkgo writes (--junit-report; reporters/junit_report.go of ginkgo v2)
// into spec results and counts. Every spec of the suite is a testcase; the ones the focus or skip
// patterns left out are `status="skipped"` with the bare message "skipped", the ones that skipped
// themselves say "skipped - <reason>". Suite nodes (BeforeSuite, ...) are kept only when they
// failed. Pure: text in, data out.

interface JunitCase {
  name?: string;
  status?: string;
  time?: string | number;
  skipped?: { message?: string } | string;
  failure?: { message?: string; '#text'?: string } | string;
  error?: { message?: string; '#text'?: string } | string;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => name === 'testsuite' || name === 'testcase',
  parseAttributeValue: false,
  // Ginkgo writes newlines in messages as &#xA;, which only the HTML entity table decodes.
  htmlEntities: true,
  // Captured output can be megabytes; only names, states and messages are read.
  stopNodes: ['*.system-out', '*.system-err'],
});

function messageOf(node: JunitCase['failure']): string | undefined {
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node;
  return node.message || node['#text'];
}

function outcomeOf(testcase: JunitCase): Outcome {
  const status = testcase.status ?? '';
  if (status === 'passed') return 'passed';
  if (status === 'skipped' || status === 'pending') return 'skipped';
  if (status === 'interrupted' || status === 'aborted' || testcase.error !== undefined) return 'error';
  return 'failed';
}

export interface ParsedSuite {
  counts: SpecCounts;
  specs: SpecResult[];
}

export function parseGinkgoJunit(xml: string): ParsedSuite {
  const doc = parser.parse(xml) as { testsuites?: { testsuite?: Array<{ testcase?: JunitCase[] }> } };
  const cases = (doc.testsuites?.testsuite ?? []).flatMap((suite) => suite.testcase ?? []);
  const counts: SpecCounts = { selected: 0, passed: 0, failed: 0, skipped: 0, notSelected: 0 };
  const specs: SpecResult[] = [];
  for (const testcase of cases) {
    const name = String(testcase.name ?? '');
    const isSpec = name.startsWith('[It] ');
    const outcome = outcomeOf(testcase);
    const skipMessage = messageOf(testcase.skipped);
    if (
      outcome === 'skipped' &&
      (skipMessage === undefined || skipMessage === 'skipped' || skipMessage === 'pending')
    ) {
      if (isSpec) counts.notSelected++;
      continue;
    }
    if (!isSpec && outcome === 'passed') continue;
    const message =
      outcome === 'skipped'
        ? skipMessage?.replace(/^skipped - /, '')
        : (messageOf(testcase.failure) ?? messageOf(testcase.error));
    specs.push({
      name: isSpec ? name.slice('[It] '.length) : name,
      outcome,
      durationMs: Math.round(Number(testcase.time ?? 0) * 1000),
      ...(message ? { message: message.trim() } : {}),
    });
    if (!isSpec) {
      counts.failed++;
      continue;
    }
    counts.selected++;
    if (outcome === 'passed') counts.passed++;
    else if (outcome === 'skipped') counts.skipped++;
    else counts.failed++;
  }
  return { counts, specs };
}

// One line for the check's message and evidence: "12 passed, 0 failed, 3 skipped of 15 selected".
export function summarizeCounts(counts: SpecCounts): string {
  return `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped of ${counts.selected} selected specs (${counts.notSelected} not selected)`;
}
