import type { Outcome, ResultRecord } from './result-record.ts';

// JUnit XML derived from result records: one <testsuite> per cell, a <testcase> per step and per
// check, as GitLab's test report and any JUnit parser read it. Pure.
export function renderJunit(records: ResultRecord[]): string {
  const suites = records.map(renderSuite);
  const totals = suites.reduce(
    (t, s) => ({
      tests: t.tests + s.tests,
      failures: t.failures + s.failures,
      errors: t.errors + s.errors,
      time: t.time + s.time,
    }),
    { tests: 0, failures: 0, errors: 0, time: 0 },
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kvmatrix" tests="${totals.tests}" failures="${totals.failures}" errors="${totals.errors}" time="${secs(totals.time)}">`,
    ...suites.map((s) => s.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

interface Case {
  classname: string;
  name: string;
  outcome: Outcome;
  durationMs: number;
  message?: string;
  detail?: string;
}

function renderSuite(record: ResultRecord): {
  xml: string;
  tests: number;
  failures: number;
  errors: number;
  time: number;
} {
  const cases: Case[] = [];
  for (const step of record.steps) {
    cases.push({
      classname: `${record.cell}.steps`,
      name: `${step.id} (${step.playbook || step.kind})`,
      outcome: step.outcome,
      durationMs: step.durationMs,
      ...(step.message ? { message: step.message } : {}),
      ...(step.changed?.length
        ? { detail: step.changed.map((c) => `${c.host}: ${c.task}${c.diff ? `\n${c.diff}` : ''}`).join('\n') }
        : {}),
    });
    for (const check of step.checks) {
      cases.push({
        classname: `${record.cell}.${step.id}.checks`,
        name: check.name === check.id ? check.id : `${check.id}: ${check.name}`,
        outcome: check.outcome,
        durationMs: check.durationMs,
        ...(check.message ? { message: check.message } : {}),
        ...(check.evidence ? { detail: check.evidence } : {}),
      });
    }
  }
  const failures = cases.filter((c) => c.outcome === 'failed').length;
  const errors = cases.filter((c) => c.outcome === 'error').length;
  const skipped = cases.filter((c) => c.outcome === 'skipped').length;
  const body = cases.map(renderCase).join('\n');
  const xml = [
    `  <testsuite name="${esc(record.cell)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${secs(record.durationMs)}" timestamp="${esc(record.startedAt)}">`,
    '    <properties>',
    ...Object.entries({
      ...record.axes,
      scenario: record.scenario,
      provider: record.provider,
      outcome: record.outcome,
    }).map(([k, v]) => `      <property name="${esc(k)}" value="${esc(v)}"/>`),
    '    </properties>',
    body,
    '  </testsuite>',
  ].join('\n');
  return { xml, tests: cases.length, failures, errors, time: record.durationMs };
}

function renderCase(c: Case): string {
  const open = `    <testcase classname="${esc(c.classname)}" name="${esc(c.name)}" time="${secs(c.durationMs)}"`;
  const inner: string[] = [];
  if (c.outcome === 'failed')
    inner.push(
      `      <failure message="${esc(c.message ?? 'failed')}">${esc(c.detail ?? c.message ?? '')}</failure>`,
    );
  if (c.outcome === 'error')
    inner.push(
      `      <error message="${esc(c.message ?? 'error')}">${esc(c.detail ?? c.message ?? '')}</error>`,
    );
  if (c.outcome === 'skipped') inner.push(`      <skipped message="${esc(c.message ?? 'skipped')}"/>`);
  if (c.outcome === 'passed' && c.detail) inner.push(`      <system-out>${esc(c.detail)}</system-out>`);
  return inner.length ? `${open}>\n${inner.join('\n')}\n    </testcase>` : `${open}/>`;
}

function secs(ms: number): string {
  return (ms / 1000).toFixed(3);
}

// XML 1.0 text: escape markup and drop characters XML cannot carry (ANSI escapes from logs).
export function esc(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
