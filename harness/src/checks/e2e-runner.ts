import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { execa } from 'execa';
import { artifactDir, resolveRelease } from '../artifacts/build-artifacts.ts';
import { readManifest } from '../artifacts/manifest.ts';
import { KvError, UsageError } from '../contracts/errors.ts';
import { cellEnv } from '../host/cell-env.ts';
import { type CheckContext, CheckFailure, type SuiteOutcome } from './check.ts';
import { parseGinkgoJunit, summarizeCounts } from './e2e-junit.ts';
import { renderRepoList } from './e2e-repo-list.ts';
import { GinkgoProgress } from './ginkgo-progress.ts';

// Runs a focus of Kubernetes' own e2e suite against the cell: the artifact set's e2e.test under
// its ginkgo CLI, with the cell's admin kubeconfig, `--provider=skeleton` (no cloud) and every
// test image pointed at the cell's mirror (KUBE_TEST_REPO_LIST). The JUnit report ginkgo writes
// becomes the check's spec counts and per-spec results. The framework deletes the namespaces it
// creates; the temporary directory (kubeconfig copy, image list, reports) is removed afterwards,
// also on failure and on abort. An abort sends SIGTERM: ginkgo interrupts the running specs and
// runs their clean-up, then is killed after a grace period.

export interface SuiteSelection {
  label: string;
  focus: string;
  skip: string;
  // Parallel ginkgo processes: the specs mostly wait on the cluster, not the CPU.
  procs: number;
  timeoutMs: number;
}

const outputTailLines = 60;
// After SIGTERM ginkgo interrupts the specs, lets their clean-up delete namespaces and writes its
// report; under load that took longer than 90 s for six processes.
const killGraceMs = 300_000;
// How often a running suite reports its count as a line of its own.
const progressEveryMs = 120_000;

export interface E2eTools {
  e2eTest: string;
  ginkgo: string;
}

// The e2e tools of the cell's Kubernetes version, or a clear error saying how to build them.
export function findE2eTools(version: string): E2eTools {
  const release = resolveRelease(version.replace(/^v/, ''));
  const bin = path.join(artifactDir(release.kubernetes), 'bin');
  const tools = { e2eTest: path.join(bin, 'e2e.test'), ginkgo: path.join(bin, 'ginkgo') };
  const missing = Object.values(tools).filter((file) => !existsSync(file));
  if (missing.length) {
    throw new KvError(
      'TOOL_MISSING',
      `the e2e tools of Kubernetes ${release.kubernetes} are not built (${missing.join(', ')})`,
      {
        hint: `npx kvmatrix artifacts build --kubernetes ${release.kubernetes} --only e2e,ginkgo,agnhost`,
      },
    );
  }
  return tools;
}

// Before a cell deploys anything: the e2e tools and agnhost's image must be in the artifact set.
export async function requireE2eArtifacts(version: string): Promise<void> {
  findE2eTools(version);
  const release = resolveRelease(version.replace(/^v/, ''));
  const manifest = await readManifest(artifactDir(release.kubernetes));
  if (!manifest?.images.agnhost) {
    throw new KvError(
      'TOOL_MISSING',
      `agnhost's image is not in the artifact set of Kubernetes ${release.kubernetes}`,
      {
        hint: `npx kvmatrix artifacts build --kubernetes ${release.kubernetes} --only e2e,ginkgo,agnhost`,
      },
    );
  }
}

// The ginkgo command line: ginkgo's own flags, the binary, then e2e.test's flags after `--`.
export function buildGinkgoArgs(
  tools: E2eTools,
  selection: SuiteSelection,
  files: { dir: string; kubeconfig: string; kubectl: string; numNodes: number },
): string[] {
  return [
    `--procs=${selection.procs}`,
    `--focus=${selection.focus}`,
    ...(selection.skip ? [`--skip=${selection.skip}`] : []),
    `--timeout=${Math.round(selection.timeoutMs / 1000)}s`,
    // A spec that fails is run once more before it counts (as upstream's CI jobs do): on a
    // loaded 2-core machine a UDP probe with a one-second timeout can miss once.
    '--flake-attempts=2',
    '--junit-report=junit.xml',
    `--output-dir=${files.dir}`,
    '--no-color',
    '--silence-skips',
    tools.e2eTest,
    '--',
    `--kubeconfig=${files.kubeconfig}`,
    '--provider=skeleton',
    `--kubectl-path=${files.kubectl}`,
    `--e2e-output-dir=${path.join(files.dir, 'output')}`,
    '--allowed-not-ready-nodes=0',
    // Only ginkgo's first process counts the nodes itself; without this the others see -1 and
    // every spec that needs two nodes skips itself (upstream's hack/ginkgo-e2e.sh passes it too).
    `--num-nodes=${files.numNodes}`,
  ];
}

// Whatever is left of ginkgo's process group (its parallel e2e.test processes) after it exited.
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is gone already.
  }
}

// Nodes pods can land on: not cordoned, no NoSchedule or NoExecute taint.
export async function countSchedulableNodes(ctx: CheckContext): Promise<number> {
  const nodes = await ctx.kubeConfig.makeApiClient(CoreV1Api).listNode();
  return nodes.items.filter(
    (node) =>
      !node.spec?.unschedulable &&
      !(node.spec?.taints ?? []).some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute'),
  ).length;
}

export async function runE2eSuite(
  ctx: CheckContext,
  selection: SuiteSelection,
): Promise<{ evidence: string } & SuiteOutcome> {
  const tools = findE2eTools(ctx.expectedVersion);
  const registry = ctx.registry ?? String(ctx.vars.kvmatrix_registry ?? '');
  if (!registry) throw new UsageError('the e2e check needs the mirror registry (kvmatrix_registry)');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kvm-e2e-'));
  try {
    const kubeconfig = path.join(dir, 'kubeconfig');
    await copyFile(ctx.kubeconfigFile, kubeconfig);
    const repoList = path.join(dir, 'repo-list.yaml');
    await writeFile(repoList, renderRepoList(registry));
    const tail: string[] = [];
    const started = Date.now();
    const numNodes = await countSchedulableNodes(ctx);
    const child = execa(
      tools.ginkgo,
      buildGinkgoArgs(tools, selection, { dir, kubeconfig, kubectl: ctx.kubectl, numNodes }),
      {
        cwd: dir,
        env: cellEnv({ KUBE_TEST_REPO_LIST: repoList, KUBECONFIG: kubeconfig }),
        extendEnv: false,
        cancelSignal: ctx.signal,
        timeout: selection.timeoutMs + killGraceMs,
        forceKillAfterDelay: killGraceMs,
        killSignal: 'SIGTERM',
        reject: false,
        buffer: false,
        all: true,
        // Its own process group: ginkgo's e2e.test processes are killed with it (a SIGKILL of
        // ginkgo alone left them running).
        detached: true,
      },
    );
    // A line every two minutes in a job log, the live line on a terminal.
    const progress = new GinkgoProgress();
    const report = () => ctx.progress?.info(progress.describe(selection.label, Date.now() - started));
    const ticker = setInterval(report, progressEveryMs);
    ticker.unref();
    let partial = '';
    child.all?.on('data', (chunk: Buffer) => {
      progress.read(chunk.toString());
      ctx.progress?.detail(progress.describe(selection.label, Date.now() - started));
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > outputTailLines) tail.shift();
      }
    });
    const result = await child.finally(() => {
      clearInterval(ticker);
      killGroup(child.pid);
    });
    const junitFile = path.join(dir, 'junit.xml');
    const seconds = Math.round((Date.now() - started) / 1000);
    const outputTail = [...tail, partial].join('\n').trim();
    if (!existsSync(junitFile)) {
      throw new CheckFailure(
        `${selection.label}: ginkgo exited with ${result.exitCode ?? result.signal} after ${seconds} s without a JUnit report`,
        outputTail,
      );
    }
    const parsed = parseGinkgoJunit(await readFile(junitFile, 'utf8'));
    const suite: SuiteOutcome = { specCounts: parsed.counts, specs: parsed.specs };
    const summary = `${selection.label}: ${summarizeCounts(parsed.counts)} in ${seconds} s`;
    const failed = parsed.specs.filter((spec) => spec.outcome === 'failed' || spec.outcome === 'error');
    const failedLines = failed.map((spec) => `FAILED ${spec.name}: ${(spec.message ?? '').split('\n')[0]}`);
    if (ctx.signal.aborted) throw new CheckFailure(`${selection.label}: interrupted`, outputTail, suite);
    if (failed.length || result.exitCode !== 0) {
      const first = failed[0]
        ? `: ${failed[0].name}`
        : ` (ginkgo exited with ${result.exitCode ?? result.signal})`;
      throw new CheckFailure(`${summary}${first}`, [...failedLines, '', outputTail].join('\n'), suite);
    }
    if (parsed.counts.selected === 0) {
      throw new CheckFailure(`${selection.label}: the focus selected no spec`, outputTail, suite);
    }
    const skippedLines = parsed.specs
      .filter((spec) => spec.outcome === 'skipped')
      .map((spec) => `skipped ${spec.name}: ${spec.message ?? ''}`);
    return { evidence: [summary, ...skippedLines].join('\n'), ...suite };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
