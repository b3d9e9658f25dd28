import type {
  CheckResult,
  Outcome,
  ResultRecord,
  SpecResult,
  StepResult,
} from '../contracts/result-record.ts';
import type { CellReport, PipelineReport } from './model.ts';

// JUnit XML as GitLab's test report widget reads it (artifacts:reports:junit): one testsuite per
// cell, one testcase per step and one per check, so a reviewer sees which check of which step
// failed. Pure: data in, string out.

// Removes characters XML 1.0 cannot carry and escapes the rest.
function xml(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to strip control characters XML 1.0 forbids
      .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
      .replaceAll('&', '&amp;')
      .replaceAll('<', '&lt;')
      .replaceAll('>', '&gt;')
      .replaceAll('"', '&quot;')
  );
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

interface Case {
  name: string;
  classname: string;
  timeMs: number;
  file?: string;
  result: 'passed' | 'failure' | 'error' | 'skipped';
  message?: string;
  detail?: string;
  out?: string;
}

function resultOf(outcome: Outcome): Case['result'] {
  if (outcome === 'failed') return 'failure';
  if (outcome === 'error') return 'error';
  if (outcome === 'skipped') return 'skipped';
  return 'passed';
}

function stepCase(cell: string, step: StepResult): Case {
  return {
    name: `${step.id} (${step.kind})`,
    classname: cell,
    timeMs: step.durationMs,
    file: step.playbook,
    result: resultOf(step.outcome),
    ...(step.message ? { message: step.message } : {}),
    ...(step.log ? { out: `ansible log: ${step.log}` } : {}),
  };
}

function checkCase(cell: string, step: StepResult, check: CheckResult): Case {
  return {
    name: `${step.id} / check ${check.id}`,
    classname: cell,
    timeMs: check.durationMs,
    result: resultOf(check.outcome),
    ...(check.message ? { message: check.message } : {}),
    // A passing check's evidence (what it saw) goes to system-out; a failing one's to the failure.
    ...(check.evidence
      ? check.outcome === 'passed'
        ? { out: check.evidence }
        : { detail: check.evidence }
      : {}),
  };
}

// A spec of a suite-running check (e2e, conformance) as a testcase of its own, named after the
// check, so that a failing e2e spec shows up by name with its own time.
function specCase(cell: string, step: StepResult, check: CheckResult, spec: SpecResult): Case {
  return {
    name: `${step.id} / ${check.id} / ${spec.name}`,
    classname: `${cell}.${check.id}`,
    timeMs: spec.durationMs,
    result: resultOf(spec.outcome),
    ...(spec.message ? { message: spec.message } : {}),
  };
}

function casesOf(record: ResultRecord): Case[] {
  const cases: Case[] = [];
  for (const step of record.steps) {
    cases.push(stepCase(record.cell, step));
    for (const check of step.checks) {
      cases.push(checkCase(record.cell, step, check));
      for (const spec of check.specs ?? []) cases.push(specCase(record.cell, step, check, spec));
    }
  }
  if (record.outcome !== 'passed' && !cases.some((c) => c.result === 'failure' || c.result === 'error')) {
    // The cell failed outside any step (no machines, interrupted): say so as a testcase of its own.
    cases.push({
      name: record.outcome === 'interrupted' ? 'run (interrupted)' : 'machines and mirror (provider up)',
      classname: record.cell,
      timeMs: record.phases.reduce((sum, p) => sum + p.durationMs, 0),
      result: 'error',
      message: record.error?.message ?? `cell ${record.outcome}`,
    });
  }
  return cases;
}

function renderCase(c: Case): string {
  const open = `    <testcase name="${xml(c.name)}" classname="${xml(c.classname)}" time="${seconds(c.timeMs)}"${c.file ? ` file="${xml(c.file)}"` : ''}`;
  const body: string[] = [];
  if (c.result !== 'passed') {
    const tag = c.result;
    const message = c.message ?? c.result;
    const first = message.split('\n')[0] ?? message;
    body.push(
      `      <${tag} message="${xml(first)}">${xml(c.detail ? `${message}\n\n${c.detail}` : message)}</${tag}>`,
    );
  }
  if (c.out) body.push(`      <system-out>${xml(c.out)}</system-out>`);
  return body.length === 0 ? `${open}/>` : `${open}>\n${body.join('\n')}\n    </testcase>`;
}

interface SuiteOptions {
  name: string;
  timestamp?: string;
  properties: Record<string, string>;
  cases: Case[];
}

function renderSuite(suite: SuiteOptions): string {
  const count = (r: Case['result']) => suite.cases.filter((c) => c.result === r).length;
  const time = suite.cases.reduce((sum, c) => sum + c.timeMs, 0);
  const props = Object.entries(suite.properties)
    .map(([k, v]) => `      <property name="${xml(k)}" value="${xml(v)}"/>`)
    .join('\n');
  return [
    `  <testsuite name="${xml(suite.name)}" tests="${suite.cases.length}" failures="${count('failure')}" errors="${count('error')}" skipped="${count('skipped')}" time="${seconds(time)}"${suite.timestamp ? ` timestamp="${xml(suite.timestamp)}"` : ''}>`,
    props ? `    <properties>\n${props}\n    </properties>` : '',
    ...suite.cases.map(renderCase),
    '  </testsuite>',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

function propertiesOf(record: ResultRecord | undefined, cell: Pick<CellReport, 'axes' | 'scenario'>) {
  const props: Record<string, string> = { scenario: cell.scenario };
  for (const [axis, value] of Object.entries(cell.axes)) props[`axis.${axis}`] = value;
  if (record) {
    props.outcome = record.outcome;
    props.provider = record.provider;
    if (record.attempt) props.attempt = String(record.attempt);
    if (record.ci?.jobUrl) props.job = record.ci.jobUrl;
    if (record.quarantine) props.quarantine = record.quarantine.issue;
  }
  return props;
}

function renderDocument(suites: string[]): string {
  const all = suites.join('\n');
  const count = (attr: string) =>
    [...all.matchAll(new RegExp(`<testsuite [^>]*${attr}="(\\d+)"`, 'g'))].reduce(
      (s, m) => s + Number(m[1]),
      0,
    );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="kvmatrix" tests="${count('tests')}" failures="${count('failures')}" errors="${count('errors')}" skipped="${count('skipped')}">\n${all}\n</testsuites>\n`;
}

// The JUnit report of one cell, as `kvmatrix run` writes it beside result.json.
export function renderJunit(record: ResultRecord): string {
  return renderDocument([
    renderSuite({
      name: record.cell,
      timestamp: record.startedAt,
      properties: propertiesOf(record, record),
      cases: casesOf(record),
    }),
  ]);
}

// The JUnit report of a whole pipeline: every planned cell, missing ones as errors, quarantined
// failures as skipped (they must not block the merge request, but must stay visible).
export function renderPipelineJunit(report: PipelineReport): string {
  const suites = report.cells.map((cell) => {
    let cases: Case[];
    if (!cell.record) {
      cases = [
        {
          name: 'result record',
          classname: cell.name,
          timeMs: 0,
          result: 'error',
          message: `missing: no result record for this planned cell (rerun: ${cell.rerun})`,
        },
      ];
    } else {
      cases = casesOf(cell.record);
      if (cell.status === 'quarantined') {
        cases = cases.map((c) =>
          c.result === 'failure' || c.result === 'error'
            ? {
                ...c,
                result: 'skipped',
                message: `quarantined (${cell.quarantine?.issue}): ${c.message ?? ''}`,
              }
            : c,
        );
      }
      if (cell.status === 'flaky' || cell.status === 'infra-retried') {
        const note = `${cell.status}: passed on attempt ${cell.record.attempt ?? cell.attempts.length} of ${cell.attempts.length}`;
        cases = cases.map((c, i) => (i === 0 ? { ...c, out: [note, c.out].filter(Boolean).join('\n') } : c));
      }
    }
    return renderSuite({
      name: cell.name,
      ...(cell.record ? { timestamp: cell.record.startedAt } : {}),
      properties: { ...propertiesOf(cell.record, cell), status: cell.status },
      cases,
    });
  });
  return renderDocument(suites);
}
