import { parse } from 'junit2json';
import { describe, expect, it } from 'vitest';
import type { ResultRecord } from '../contracts/result-record.ts';
import { renderJunit } from './render-junit.ts';

const record: ResultRecord = {
  schemaVersion: 1,
  cell: 'debian12-k8s1.34-containerd-bridge-aio-deploy',
  axes: { os: 'debian12', kubernetes: '1.34' },
  scenario: 'deploy',
  provider: 'podman',
  outcome: 'failed',
  startedAt: '2026-11-25T20:00:00.000Z',
  finishedAt: '2026-11-25T20:10:00.000Z',
  durationMs: 600_000,
  phases: [],
  versions: {},
  artifacts: [],
  steps: [
    {
      id: 'deploy',
      kind: 'deploy',
      playbook: 'cluster.yml',
      outcome: 'passed',
      startedAt: '2026-11-25T20:01:00.000Z',
      durationMs: 300_000,
      checks: [
        {
          id: 'apiserver',
          name: 'apiserver ready',
          outcome: 'passed',
          durationMs: 1000,
          evidence: 'v1.34.4 <ok> & "fine"',
        },
        {
          id: 'nodes-ready',
          name: 'all nodes Ready',
          outcome: 'failed',
          durationMs: 2000,
          message: 'n1 not Ready',
          evidence: 'n1: Ready=False \u001b[31m',
        },
        {
          id: 'system-pods',
          name: 'system pods',
          outcome: 'skipped',
          durationMs: 0,
          message: 'skipped after an earlier check failed',
        },
      ],
    },
    {
      id: 'idempotence',
      kind: 'idempotence',
      playbook: 'cluster.yml',
      outcome: 'skipped',
      startedAt: '',
      durationMs: 0,
      checks: [],
    },
  ],
};

describe('renderJunit of one cell, read back by a JUnit parser', () => {
  it('writes a test case per step and per check that a JUnit parser reads back with the right verdicts', async () => {
    const parsed = (await parse(renderJunit(record))) as {
      tests: number;
      failures: number;
      testsuite: Array<{
        name: string;
        testcase: Array<{
          name: string;
          failure?: Array<{ message: string }>;
          skipped?: unknown[];
          'system-out'?: string[];
        }>;
      }>;
    };
    expect(parsed.tests).toBe(5);
    expect(parsed.failures).toBe(1);
    const suite = parsed.testsuite[0];
    expect(suite?.name).toBe(record.cell);
    expect(suite?.testcase.map((c) => c.name)).toEqual([
      'deploy (deploy)',
      'deploy / check apiserver',
      'deploy / check nodes-ready',
      'deploy / check system-pods',
      'idempotence (idempotence)',
    ]);
    expect(suite?.testcase[2]?.failure?.[0]?.message).toBe('n1 not Ready');
    expect(suite?.testcase[3]?.skipped).toBeDefined();
    expect(suite?.testcase[1]?.['system-out']?.[0]).toBe('v1.34.4 <ok> & "fine"');
  });
});
