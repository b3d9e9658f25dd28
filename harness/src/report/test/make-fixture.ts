// Writes test/fixtures/pipeline-36: the plan (as `kvmatrix matrix list --json` prints it) and the
// result records of a 36-cell pipeline with every kind of verdict. Deterministic; rerun with
//   node harness/src/report/test/make-fixture.ts
// after changing the ResultRecord contract, and review the diff like code.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlanCell } from '../../contracts/plan.ts';
import type { CheckResult, ResultRecord, StepResult } from '../../contracts/result-record.ts';

const out = fileURLToPath(new URL('./fixtures/pipeline-36/', import.meta.url));
const commit = '3f9c2a7e5b1d4c6a8e0f2b4d6c8a0e2f4b6d8c0a';
const base = Date.parse('2026-11-20T09:00:00Z');

const plan: PlanCell[] = [];
for (const os of ['debian-12', 'ubuntu-24.04', 'rocky-9']) {
  for (const kubernetes of ['1.33.8', '1.34.4']) {
    for (const network of ['calico', 'cilium']) {
      for (const layout of ['single', 'ha-3cp']) {
        const axes = { os, kubernetes, runtime: 'containerd', network, layout };
        plan.push({ name: `${Object.values(axes).join('-')}-deploy`, axes, scenario: 'deploy' });
      }
    }
  }
}
for (const os of ['debian-12', 'ubuntu-24.04', 'rocky-9']) {
  for (const network of ['calico', 'cilium']) {
    for (const layout of ['single', 'ha-3cp']) {
      const axes = { os, kubernetes: '1.34.4', runtime: 'crio', network, layout };
      plan.push({ name: `${Object.values(axes).join('-')}-upgrade`, axes, scenario: 'upgrade' });
    }
  }
}
const quarantined = 'rocky-9-1.34.4-containerd-cilium-ha-3cp-deploy';
const quarantinedCell = plan.find((c) => c.name === quarantined);
if (quarantinedCell)
  quarantinedCell.quarantine = { issue: 'https://gitlab.example.com/infra/kvmatrix/-/issues/41' };

type Fault = { step: string; check?: string; message: string } | undefined;
const checksAfter: Record<string, string[]> = {
  deploy: ['apiserver', 'nodes-ready', 'system-pods', 'pod-network', 'service-dns'],
  'upgrade-from': ['apiserver', 'nodes-ready'],
  upgrade: ['apiserver', 'nodes-ready', 'system-pods', 'pod-network'],
  idempotence: ['apiserver', 'nodes-ready'],
};

function makeSteps(cell: PlanCell, start: number, seed: number, fault: Fault): StepResult[] {
  const ids =
    cell.scenario === 'upgrade' ? ['deploy-n-1', 'upgrade', 'idempotence'] : ['deploy', 'idempotence'];
  const steps: StepResult[] = [];
  let at = start;
  for (const id of ids) {
    const kind = id === 'deploy-n-1' ? 'deploy' : id;
    const playDuration =
      (kind === 'deploy' ? 420_000 : kind === 'upgrade' ? 510_000 : 140_000) + seed * 3_700;
    const failingHere = fault?.step === id;
    const checks: CheckResult[] = (checksAfter[id === 'deploy-n-1' ? 'upgrade-from' : kind] ?? []).map(
      (check, i) => {
        const failed = failingHere && fault?.check === check;
        return {
          id: check,
          name: check.replace('-', ' '),
          outcome: failed ? 'failed' : 'passed',
          durationMs: 800 + i * 900 + seed * 11,
          ...(failed ? { message: fault?.message } : {}),
        };
      },
    );
    const playbookFailed = failingHere && !fault?.check;
    steps.push({
      id,
      kind,
      playbook: kind === 'upgrade' ? 'playbooks/upgrade.yml' : 'playbooks/cluster.yml',
      outcome: playbookFailed || checks.some((c) => c.outcome === 'failed') ? 'failed' : 'passed',
      startedAt: new Date(at).toISOString(),
      durationMs: playDuration,
      ...(playbookFailed ? { message: fault?.message } : {}),
      checks: playbookFailed ? [] : checks,
      log: `steps/${id}/ansible.log`,
    });
    at += playDuration + checks.reduce((s, c) => s + c.durationMs, 0);
    if (failingHere) break;
  }
  return steps;
}

function makeRecord(
  cell: PlanCell,
  index: number,
  outcome: ResultRecord['outcome'],
  attempt: number,
  fault: Fault,
) {
  const seed = (index * 7) % 13;
  const start = base + index * 45_000 + (attempt - 1) * 1_500_000;
  const upMs = 38_000 + seed * 900;
  const steps = outcome === 'infra-failed' ? [] : makeSteps(cell, start + upMs, seed, fault);
  const stepsMs = steps.reduce(
    (s, st) => s + st.durationMs + st.checks.reduce((a, c) => a + c.durationMs, 0),
    0,
  );
  const durationMs = upMs + stepsMs + 9_000;
  const jobId = String(8_810_000 + index * 3 + attempt);
  const record: ResultRecord = {
    schemaVersion: 1,
    cell: cell.name,
    axes: cell.axes,
    scenario: cell.scenario,
    provider: 'kubevirt',
    outcome,
    startedAt: new Date(start).toISOString(),
    finishedAt: new Date(start + durationMs).toISOString(),
    durationMs,
    phases: [
      { phase: 'provider-up', startedAt: new Date(start).toISOString(), durationMs: upMs },
      {
        phase: 'provider-down',
        startedAt: new Date(start + upMs + stepsMs).toISOString(),
        durationMs: 9_000,
      },
    ],
    steps,
    versions: { kubernetes: cell.axes.kubernetes ?? '', ansible: '2.14.18', kvmatrix: '0.1.0' },
    attempt,
    ci: {
      pipelineId: '415021',
      jobId,
      jobUrl: `https://gitlab.example.com/infra/kubernetes-deploy/-/jobs/${jobId}`,
      commit,
      ref: 'feature/cilium-1.16',
    },
    artifacts: ['result.json', 'junit.xml', 'logs/'],
    ...(cell.quarantine ? { quarantine: { issue: cell.quarantine.issue } } : {}),
    ...(outcome === 'infra-failed'
      ? {
          error: {
            code: 'INFRASTRUCTURE',
            message: 'VM kvm-node-2 got no IP address within 300s (DataVolume clone stuck at 87%)',
          },
        }
      : {}),
  };
  return record;
}

const faults: Record<
  string,
  { outcome: ResultRecord['outcome']; fault: Fault; before?: ResultRecord['outcome'] }
> = {
  'ubuntu-24.04-1.34.4-containerd-cilium-ha-3cp-deploy': {
    outcome: 'failed',
    fault: {
      step: 'deploy',
      check: 'pod-network',
      message:
        'pod kvmatrix-probe-7d9 on node-2 cannot reach 10.244.1.12:8080 on node-3: i/o timeout after 30s',
    },
  },
  'rocky-9-1.33.8-containerd-calico-single-deploy': {
    outcome: 'failed',
    fault: {
      step: 'deploy',
      message:
        'TASK [container-engine/containerd : Containerd | Install packages] fatal: [node-1]: No package containerd.io available',
    },
  },
  'debian-12-1.34.4-crio-cilium-ha-3cp-upgrade': {
    outcome: 'failed',
    fault: {
      step: 'upgrade',
      check: 'apiserver',
      message: 'apiserver reports v1.33.8, expected v1.34.4 after upgrade',
    },
  },
  'ubuntu-24.04-1.33.8-containerd-calico-ha-3cp-deploy': {
    outcome: 'passed',
    before: 'failed',
    fault: undefined,
  },
  'debian-12-1.33.8-containerd-cilium-single-deploy': {
    outcome: 'passed',
    before: 'infra-failed',
    fault: undefined,
  },
  [quarantined]: {
    outcome: 'failed',
    fault: {
      step: 'idempotence',
      check: 'nodes-ready',
      message: 'node-3 NotReady for 120s after the second run: PLEG is not healthy',
    },
  },
  'ubuntu-24.04-1.34.4-crio-calico-single-upgrade': {
    outcome: 'infra-failed',
    fault: undefined,
    before: 'infra-failed',
  },
};
const missing = new Set([
  'rocky-9-1.34.4-crio-cilium-single-upgrade',
  'rocky-9-1.34.4-crio-calico-ha-3cp-upgrade',
]);

rmSync(out, { recursive: true, force: true });
mkdirSync(path.join(out, 'results'), { recursive: true });
writeFileSync(path.join(out, 'plan.json'), `${JSON.stringify(plan, null, 2)}\n`);
plan.forEach((cell, index) => {
  if (missing.has(cell.name)) return;
  const spec = faults[cell.name] ?? { outcome: 'passed' as const, fault: undefined };
  const records: ResultRecord[] = [];
  if (spec.before) {
    const earlierFault: Fault =
      spec.before === 'failed'
        ? {
            step: 'deploy',
            check: 'service-dns',
            message: 'kubernetes.default.svc.cluster.local did not resolve: SERVFAIL from 10.96.0.10',
          }
        : undefined;
    records.push(makeRecord(cell, index, spec.before, 1, earlierFault));
  }
  records.push(makeRecord(cell, index, spec.outcome, records.length + 1, spec.fault));
  for (const record of records) {
    const dir = path.join(out, 'results', `${record.ci?.jobId}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'result.json'), `${JSON.stringify(record, null, 2)}\n`);
  }
});
console.log(`wrote ${plan.length} cells to ${out}`);
