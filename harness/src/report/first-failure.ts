import type { ResultRecord } from '../contracts/result-record.ts';
import { toOneLine } from './format.ts';
import type { FirstFailure } from './model.ts';

const bad = new Set(['failed', 'error']);

// The first step that failed and, within it, the first failing check, with a one-line reason.
// A step can fail without a failing check (the playbook itself failed); a record can fail
// without any failing step (the machines never came up): then the reason says so.
export function findFirstFailure(record: ResultRecord): FirstFailure | undefined {
  if (record.outcome === 'passed') return undefined;
  for (const step of record.steps) {
    const check = step.checks.find((c) => bad.has(c.outcome));
    if (!bad.has(step.outcome) && !check) continue;
    const reason =
      toOneLine(check?.message ?? step.message ?? check?.evidence) || `${step.kind} ${step.outcome}`;
    return check ? { step: step.id, check: check.id, reason } : { step: step.id, reason };
  }
  // No step failed: the run broke around the steps (machines, mirror, interruption).
  const interrupted = record.outcome === 'interrupted';
  const reason =
    toOneLine(record.error?.message) ||
    (interrupted ? 'the run was interrupted' : 'the machines or the mirror failed before any step ran');
  return { step: interrupted ? 'run' : 'machines', reason };
}
