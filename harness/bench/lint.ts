import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../src/host/paths.ts';
import { exitStatusOf, runLint } from '../src/lint/run-lint.ts';
import type { Print } from './bench.ts';

const TARGET_MS = 60_000;

// The wall time of the full lint stage over playbooks/ (every tool that applies, as CI runs it),
// per tool and in total, with the CPU time the tools used: on a shared machine the wall time
// depends on the load, the CPU time does not.
export async function benchLint(print: Print): Promise<void> {
  // KVMATRIX_BENCH_LINT_PATH: another folder to measure (another branch's worktree, a foreign repo).
  const target = process.env.KVMATRIX_BENCH_LINT_PATH ?? path.join(repoRoot, 'playbooks');
  const cpuBefore = childCpuSeconds();
  const loadBefore = loadavg()[0] ?? 0;
  const report = await runLint({ path: target });
  const cpu = childCpuSeconds() - cpuBefore;
  const loadAfter = loadavg()[0] ?? 0;
  const t = report.target;
  print(
    `target: ${target} (${t.playbooks.length} entry playbooks, ${t.roles.length} roles, ${t.yamlFiles.length} YAML, ` +
      `${t.shellScripts.length} shell, ${t.pythonFiles.length} Python); ${availableParallelism()} cores, ` +
      `load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after`,
  );
  for (const outcome of report.outcomes) {
    const figure =
      outcome.status === 'skipped' ? `skipped (${outcome.reason})` : `${seconds(outcome.durationMs)} wall`;
    print(`${outcome.tool.padEnd(13)} ${figure}, ${outcome.findings.length} findings`);
  }
  const verdict = report.durationMs < TARGET_MS ? 'within' : 'OVER';
  print(
    `full lint stage: ${seconds(report.durationMs)} wall (${verdict} the ${TARGET_MS / 1000} s target), ` +
      `${cpu.toFixed(1)} s CPU in the tools, exit status ${exitStatusOf(report)}`,
  );
}

// CPU seconds (user + system) of the child processes this process has waited for, from
// /proc/self/stat (cutime, cstime in clock ticks of 1/100 s on Linux).
function childCpuSeconds(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return Number.NaN;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
