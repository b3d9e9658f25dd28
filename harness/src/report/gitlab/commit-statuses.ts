import { formatDuration, toOneLine } from '../format.ts';
import type { CellReport } from '../model.ts';

export type CommitState = 'pending' | 'running' | 'success' | 'failed' | 'canceled';

export interface CommitStatusSpec {
  name: string;
  state: CommitState;
  description: string;
  targetUrl?: string;
}

// The commit status of one cell, named kvmatrix/<cell>. Quarantined failures are `success` with a
// description that says so: a failed external status would fail the merge request's pipeline,
// which is exactly what quarantine is meant to avoid. Missing cells are `failed`: a cell that
// never ran is not a pass. Pure.
export function describeCommitStatus(cell: CellReport, reportUrl?: string): CommitStatusSpec {
  const took = formatDuration(cell.durationMs);
  const reason = cell.firstFailure
    ? `${cell.firstFailure.step}${cell.firstFailure.check ? `/${cell.firstFailure.check}` : ''}: ${cell.firstFailure.reason}`
    : '';
  let state: CommitState;
  let description: string;
  switch (cell.status) {
    case 'passed':
      [state, description] = ['success', `passed in ${took}`];
      break;
    case 'flaky':
      [state, description] = ['success', `flaky: passed after a failure (${reason})`];
      break;
    case 'infra-retried':
      [state, description] = ['success', `passed after ${cell.attempts.length - 1} infrastructure retries`];
      break;
    case 'quarantined':
      [state, description] = [
        'success',
        `quarantined failure (${cell.quarantine?.issue ?? 'no issue'}): ${reason}`,
      ];
      break;
    case 'failed':
      [state, description] = ['failed', `failed: ${reason}`];
      break;
    case 'infra-failed':
      [state, description] = ['failed', `infrastructure failed: ${reason}`];
      break;
    case 'interrupted':
      [state, description] = ['canceled', `interrupted: ${reason}`];
      break;
    case 'missing':
      [state, description] = [
        'failed',
        'missing: no result record (the job did not run or lost its artifacts)',
      ];
      break;
  }
  const targetUrl = cell.links.job ?? reportUrl;
  return {
    name: `kvmatrix/${cell.name}`,
    state,
    description: toOneLine(description, 255),
    ...(targetUrl ? { targetUrl } : {}),
  };
}
