import { Buffer } from 'node:buffer';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isKvError } from '../../errors.ts';
import type { LayoutNode, Step, StepKind } from '../../matrix/model.ts';
import type { Machine } from '../../providers/provider.ts';
import type { StepResult } from '../../results/result-record.ts';
import { repoRoot } from '../../system/paths.ts';
import { fetchKubeconfig } from '../cluster-dump.ts';
import type { Progress } from '../progress.ts';
import { runChecks, type StepVerdict } from '../run-step.ts';
import { MgmtKubectl } from './mgmt-kubectl.ts';
import { buildOperatorImage, PUBLISH_KUBECONFIG_PLAYBOOK, publishOperatorImage } from './operator-image.ts';
import {
  countRoles,
  customizeOperatorManifests,
  isManaged,
  type KubeObject,
  OPERATOR_NAMESPACE,
  renderClusterDeployment,
  renderMachine,
  renderWorkloadNamespace,
  SSH_KEY_SECRET,
  WORKLOAD_CLUSTER,
  WORKLOAD_NAMESPACE,
} from './operator-manifests.ts';
import { waitForClusterDeployment } from './operator-wait.ts';

const OPERATOR_KINDS: ReadonlySet<StepKind> = new Set([
  'operator-install',
  'operator-cluster',
  'operator-scale',
]);

// Steps the harness does not run with ansible-playbook itself: it drives the operator instead.
export function isOperatorStep(step: Step): boolean {
  return OPERATOR_KINDS.has(step.kind);
}

export interface OperatorStepContext {
  step: Step;
  stepIndex: number;
  nodes: LayoutNode[];
  machines: Machine[];
  // Layout nodes not yet joined (the run's pending set after this step's additions).
  pending: ReadonlySet<string>;
  vars: Record<string, unknown>;
  artifactUrl: string;
  registry: string;
  kubectl: string;
  probeImage: string;
  runDir: string;
  logDir: string;
  timeoutMs: number;
  signal: AbortSignal;
  progress: Progress;
}

// Runs one operator step against the management cluster (the cell's non-managed control plane),
// then the step's checks against the workload cluster the operator built, with the kubeconfig
// the operator's Job published. Never throws for a product failure: the verdict says it.
export async function runOperatorStep(
  ctx: OperatorStepContext,
): Promise<{ result: StepResult; verdict: StepVerdict }> {
  const started = Date.now();
  const label = `step ${ctx.step.id}: ${ctx.step.kind}`;
  const base = `${String(ctx.stepIndex + 1).padStart(2, '0')}-${ctx.step.id}`;
  ctx.progress.begin(label);
  let verdict: StepVerdict = 'passed';
  let message: string | undefined;
  const result: StepResult = {
    id: ctx.step.id,
    kind: ctx.step.kind,
    playbook: ctx.step.playbook,
    outcome: 'passed',
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    checks: [],
    log: `${base}.log`,
  };
  const log: string[] = [];
  const note = (line: string) => {
    log.push(`[${new Date().toISOString()}] ${line}`);
    ctx.progress.detail(line);
  };
  let k: MgmtKubectl | undefined;
  try {
    k = await connectManagement(ctx);
    const outcome =
      ctx.step.kind === 'operator-install'
        ? await installOperator(ctx, k, note)
        : await deployWorkload(ctx, k, note);
    if (!outcome.ok) {
      verdict = ctx.signal.aborted ? 'interrupted' : 'product-failure';
      message = outcome.message;
    } else if (ctx.step.kind !== 'operator-install' && ctx.step.checks.length > 0) {
      const kubeconfigFile = await readWorkloadKubeconfig(ctx, k);
      result.checks = await runChecks({
        ids: ctx.step.checks,
        kubeconfigFile,
        kubectl: ctx.kubectl,
        machines: ctx.machines,
        members: ctx.nodes.filter((n) => isManaged(n) && !ctx.pending.has(n.name)),
        expectedVersion: String(ctx.vars.kube_version ?? ''),
        probeImage: ctx.probeImage,
        vars: ctx.vars,
        signal: ctx.signal,
        progress: ctx.progress,
      });
      const failed = result.checks.find((c) => c.outcome === 'failed');
      if (failed) {
        verdict = ctx.signal.aborted ? 'interrupted' : 'product-failure';
        message = `check failed: ${failed.message ?? failed.id}`;
      }
    }
  } catch (error) {
    verdict = ctx.signal.aborted ? 'interrupted' : 'infrastructure-failure';
    message = isKvError(error)
      ? `${error.message}${error.hint ? ` (hint: ${error.hint})` : ''}`
      : String(error);
  } finally {
    if (k) await saveOperatorLogs(k, ctx.logDir, base, note).catch(() => {});
    await writeFile(path.join(ctx.logDir, `${base}.log`), `${log.join('\n')}\n`);
  }
  result.durationMs = Date.now() - started;
  result.outcome =
    verdict === 'passed' ? 'passed' : verdict === 'infrastructure-failure' ? 'error' : 'failed';
  if (message) result.message = message;
  ctx.progress.end(label, result.outcome, result.durationMs, message);
  return { result, verdict };
}

async function connectManagement(ctx: OperatorStepContext): Promise<MgmtKubectl> {
  const mgmt = ctx.nodes.find((n) => !isManaged(n) && n.roles.includes('control-plane'));
  const machine = ctx.machines.find((m) => m.name === mgmt?.name);
  const file = path.join(ctx.runDir, 'management.conf');
  if (!machine || !(await fetchKubeconfig(machine, file))) {
    throw new Error('no admin kubeconfig on the management cluster (did its deploy step run?)');
  }
  return new MgmtKubectl(ctx.kubectl, file, ctx.signal);
}

// The operator as shipped in operator/config (CRDs, RBAC, Deployment), running the image built
// from this checkout and published into the mirror.
async function installOperator(
  ctx: OperatorStepContext,
  k: MgmtKubectl,
  note: (line: string) => void,
): Promise<{ ok: true } | { ok: false; message: string }> {
  const image = await buildOperatorImage(note);
  const ref = `${ctx.registry}/${await publishOperatorImage(image)}`;
  note(`operator image ${ref}`);
  const docs = customizeOperatorManifests(await readOperatorConfig(), {
    image: ref,
    publishKubeconfigPlaybook: PUBLISH_KUBECONFIG_PLAYBOOK,
  });
  const crds = docs.filter((d) => d.kind === 'CustomResourceDefinition');
  await k.apply(crds);
  await k.run([
    'wait',
    '--for=condition=Established',
    '--timeout=120s',
    ...crds.map((c) => `crd/${c.metadata.name}`),
  ]);
  await k.apply(docs.filter((d) => d.kind !== 'CustomResourceDefinition'));
  note('operator applied; waiting for its Deployment');
  const timeout = Math.max(60, Math.round(ctx.timeoutMs / 1000) - 60);
  try {
    await k.run(
      [
        'rollout',
        'status',
        '-n',
        OPERATOR_NAMESPACE,
        'deployment/kvmatrix-operator',
        `--timeout=${timeout}s`,
      ],
      {
        timeoutMs: (timeout + 30) * 1000,
      },
    );
  } catch (error) {
    return { ok: false, message: `the operator Deployment did not become available: ${String(error)}` };
  }
  return { ok: true };
}

// operator-cluster: the namespace, SSH key Secret, Idle Machines and the ClusterDeployment;
// operator-scale: the step's held-back machines as Idle Machines and the machine sets grown to
// match. Both then wait for the operator to report the cluster Ready.
async function deployWorkload(
  ctx: OperatorStepContext,
  k: MgmtKubectl,
  note: (line: string) => void,
): Promise<{ ok: true } | { ok: false; message: string }> {
  const members = ctx.nodes.filter((n) => isManaged(n) && !ctx.pending.has(n.name));
  if (ctx.step.kind === 'operator-cluster') {
    await k.apply(renderWorkloadNamespace());
    const keyFile = ctx.machines.find((m) => members.some((n) => n.name === m.name))?.sshKeyFile;
    if (!keyFile) throw new Error('no managed machine with an SSH key to register');
    // From the file, never through a log or a command line; kept when a resumed run re-applies.
    const exists = await k.run([
      'get',
      'secret',
      SSH_KEY_SECRET,
      '-n',
      WORKLOAD_NAMESPACE,
      '--ignore-not-found',
      '-o',
      'name',
    ]);
    if (!exists.trim()) {
      await k.run([
        'create',
        'secret',
        'generic',
        SSH_KEY_SECRET,
        '-n',
        WORKLOAD_NAMESPACE,
        '--type=kubernetes.io/ssh-auth',
        `--from-file=ssh-privatekey=${keyFile}`,
      ]);
    }
  }
  const added = ctx.step.kind === 'operator-scale' ? new Set(ctx.step.nodes ?? []) : undefined;
  const register = members.filter((n) => !added || added.has(n.name));
  const byName = new Map(ctx.machines.map((m) => [m.name, m]));
  const objects: KubeObject[] = register.map((n) => {
    const machine = byName.get(n.name);
    if (!machine) throw new Error(`no machine was provisioned for layout node ${n.name}`);
    return renderMachine(n, machine);
  });
  objects.push(
    renderClusterDeployment({
      vars: ctx.vars,
      artifactUrl: ctx.artifactUrl,
      registry: ctx.registry,
      replicas: countRoles(members),
    }),
  );
  note(
    `registering ${register.map((n) => n.name).join(', ')} as Idle Machines; ClusterDeployment ${WORKLOAD_CLUSTER}`,
  );
  await k.apply(objects);
  return waitForClusterDeployment(k, Math.max(60_000, ctx.timeoutMs - 60_000), (line) => note(line));
}

// The kubeconfig Secret the operator's Job published: written for the checks (mode 0600),
// never printed. Its absence is the product's failure, not the harness's.
async function readWorkloadKubeconfig(ctx: OperatorStepContext, k: MgmtKubectl): Promise<string> {
  const name = `${WORKLOAD_CLUSTER}-kubeconfig`;
  const secret = await k.getJson<{ data?: { value?: string } }>(['secret', name, '-n', WORKLOAD_NAMESPACE]);
  const value = secret?.data?.value;
  if (!value) throw new Error(`Secret ${WORKLOAD_NAMESPACE}/${name} (key value) was not published`);
  const file = path.join(ctx.runDir, 'workload.conf');
  await writeFile(file, Buffer.from(value, 'base64'), { mode: 0o600 });
  return file;
}

// The operator's log and every playbook Job's log, beside the step's own log.
async function saveOperatorLogs(
  k: MgmtKubectl,
  logDir: string,
  base: string,
  note: (line: string) => void,
): Promise<void> {
  const operatorLog = await k
    .run(['logs', '-n', OPERATOR_NAMESPACE, 'deployment/kvmatrix-operator', '--tail=2000'])
    .catch((e) => `(no operator log: ${String(e)})\n`);
  await writeFile(path.join(logDir, `${base}.operator.log`), operatorLog);
  const jobs = await k
    .run(['get', 'jobs', '-n', WORKLOAD_NAMESPACE, '-o', 'name'])
    .then((out) => out.split('\n').filter(Boolean))
    .catch(() => [] as string[]);
  // A Job's log is saved once, by the step during which it ran (its name is unique per run).
  const saved = (await readdir(logDir)).join('\n');
  const fresh = jobs.map((j) => j.replace(/^.*\//, '')).filter((j) => !saved.includes(`.${j}.log`));
  for (const job of fresh) {
    const text = await k
      .run(['logs', '-n', WORKLOAD_NAMESPACE, `job/${job}`, '--tail=-1'])
      .catch((e) => String(e));
    await writeFile(path.join(logDir, `${base}.${job}.log`), text);
  }
  if (fresh.length) note(`saved the logs of playbook Job(s) ${fresh.join(', ')}`);
}

// operator/config's resources, in the kustomization's order.
export async function readOperatorConfig(): Promise<KubeObject[]> {
  const dir = path.join(repoRoot, 'operator', 'config');
  const kustomization = parseAllDocuments(
    await readFile(path.join(dir, 'kustomization.yaml'), 'utf8'),
  )[0]?.toJS() as {
    resources: string[];
  };
  const docs: KubeObject[] = [];
  for (const file of kustomization.resources) {
    for (const doc of parseAllDocuments(await readFile(path.join(dir, file), 'utf8'))) {
      const value = doc.toJS() as KubeObject | null;
      if (value) docs.push(value);
    }
  }
  return docs;
}
