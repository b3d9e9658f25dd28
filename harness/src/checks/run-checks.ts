import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { type CheckId, orderChecks } from '../contracts/check-ids.ts';
import type { CheckResult } from '../contracts/result-record.ts';
import type { Progress } from '../host/progress.ts';
import { type CheckContext, CheckFailure } from './check.ts';
import { fetchKubeconfig } from './fetch-kubeconfig.ts';
import { checks } from './index.ts';

// What runChecks needs: the checks' context without the client it builds itself.
export interface ChecksInput extends Omit<CheckContext, 'kubeConfig'> {
  ids: CheckId[];
  progress: Progress;
}

// Runs a step's checks cheapest first. After the first failure the rest are skipped: a later
// check cannot say anything useful about a cluster whose basics are broken.
export async function runChecks(input: ChecksInput): Promise<CheckResult[]> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(input.kubeconfigFile);
  const ctx: CheckContext = { ...input, kubeConfig };
  const results: CheckResult[] = [];
  let failed = false;
  for (const id of orderChecks(input.ids)) {
    const check = checks[id];
    const name = check.title;
    if (failed) {
      results.push({
        id,
        name,
        outcome: 'skipped',
        durationMs: 0,
        message: 'skipped after an earlier check failed',
      });
      continue;
    }
    const started = Date.now();
    input.progress.begin(`check ${id}`);
    try {
      const output = await check.run(ctx);
      const passed = typeof output === 'string' ? { evidence: output } : output;
      results.push({ id, name, outcome: 'passed', durationMs: Date.now() - started, ...passed });
      input.progress.end(`check ${id}`, 'passed', Date.now() - started);
    } catch (error) {
      failed = true;
      const message = error instanceof Error ? error.message : String(error);
      const evidence = error instanceof CheckFailure ? error.evidence : undefined;
      const suite = error instanceof CheckFailure ? error.suite : undefined;
      results.push({
        id,
        name,
        outcome: 'failed',
        durationMs: Date.now() - started,
        message,
        ...(evidence ? { evidence } : {}),
        ...suite,
      });
      input.progress.end(`check ${id}`, 'failed', Date.now() - started, message);
    }
  }
  return results;
}

// A step's checks against the cell's own cluster: the admin kubeconfig is fetched from a member
// control plane into `runDir`; without one every check fails saying so. Returns the results and
// the kubeconfig file when there was one.
export async function checkMembers(
  input: Omit<ChecksInput, 'kubeconfigFile'> & { runDir: string },
): Promise<{ checks: CheckResult[]; kubeconfigFile?: string }> {
  const kubeconfigFile = path.join(input.runDir, 'admin.conf');
  const cp = input.machines.find((m) =>
    input.members.some((n) => n.name === m.name && n.roles.includes('control-plane')),
  );
  if (!cp || !(await fetchKubeconfig(cp, kubeconfigFile))) {
    return {
      checks: input.ids.map((c) => ({
        id: c,
        name: c,
        outcome: 'failed',
        durationMs: 0,
        message: 'no admin kubeconfig on the control plane',
      })),
    };
  }
  return { checks: await runChecks({ ...input, kubeconfigFile }), kubeconfigFile };
}
