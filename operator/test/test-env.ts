// Integration-test helpers: a namespace of its own on the shared real control plane (the vitest
// global setup of issue 4 provides its kubeconfig path via inject('kubeconfig')), the CRDs, the
// operator as a real child process, and polling with a deadline.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { inject, onTestFinished } from 'vitest';
import { parse } from 'yaml';
import {
  clusterDeploymentsType,
  clustersType,
  machineSetsType,
  machinesType,
  secretsType,
} from '../src/controllers/resource-types.ts';
import { installCrds } from '../src/install-crds.ts';
import { isConflict, isNotFound } from '../src/runtime/api-error.ts';
import { KubeClient, type ResourceType } from '../src/runtime/kube-client.ts';
import { machineObject } from './builders.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kubeconfig: string;
    testbedUnavailable: string;
  }
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const namespacesType: ResourceType = { group: '', version: 'v1', plural: 'namespaces' };

// False only while no vitest global setup provides a test control plane at all (before issue 4's
// setup is listed in vitest.config.ts): then the integration suites are skipped, not failed. With
// the setup present, a missing control plane fails them with its reason.
export function testbedConfigured(): boolean {
  return inject('testbedUnavailable') !== undefined;
}

export function clientFor(kubeconfigPath: string): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return new KubeClient(kc, { userAgent: 'kvmatrix-operator-tests' });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`,
  );
}

// A test's own read-modify-write of an object a controller writes too: on 409 Conflict (the
// controller wrote it between our read and our write) it reads again and reapplies the change,
// as the operator itself does. A bare get-then-update races and failed the scale test once.
export async function updateWithRetry<T>(
  client: KubeClient,
  type: ResourceType,
  namespace: string,
  name: string,
  change: (object: T) => void,
  attempts = 20,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const current = await client.get<T>(type, namespace, name);
    change(current);
    try {
      return await client.update<T>(type, namespace, name, current);
    } catch (error) {
      if (!isConflict(error) || attempt >= attempts) throw error;
    }
  }
}

export interface TestNamespace {
  name: string;
  client: KubeClient;
  kubeconfig: string;
  cleanup(): Promise<void>;
}

// Inside a test only: the namespace (and, see startOperator, every operator started in it) goes
// when the test finishes, passed or not.
export async function createTestNamespace(prefix: string): Promise<TestNamespace> {
  const kubeconfig = inject('kubeconfig');
  if (!kubeconfig) {
    const reason = inject('testbedUnavailable') || 'no kubeconfig provided by the vitest global setup';
    throw new Error(`the test control plane is not running: ${reason}`);
  }
  const client = clientFor(kubeconfig);
  await installCrds(client);
  const name = `kvm-operator-${prefix}-${randomBytes(3).toString('hex')}`;
  await client.create(namespacesType, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await waitFor('default ServiceAccount', () =>
    client.get({ group: '', version: 'v1', plural: 'serviceaccounts' }, name, 'default').then(() => true),
  );
  const ns: TestNamespace = {
    name,
    client,
    kubeconfig,
    async cleanup() {
      // Whatever the operator did not finish, strip finalizers so the namespace can go.
      for (const type of [clusterDeploymentsType, machineSetsType, clustersType, machinesType]) {
        const list = await client
          .list<{ metadata: { name: string; finalizers?: string[] } }>(type, name)
          .catch(() => ({ items: [] }));
        for (const item of list.items) {
          if (item.metadata.finalizers?.length) {
            await client
              .patch(type, name, item.metadata.name, { metadata: { finalizers: null } })
              .catch(() => {});
          }
        }
      }
      await client.delete(namespacesType, undefined, name).catch((error) => {
        if (!isNotFound(error)) throw error;
      });
      await nodeCleanup(client, name);
      client.close();
    },
  };
  onTestFinished(() => ns.cleanup());
  return ns;
}

async function nodeCleanup(client: KubeClient, namespace: string): Promise<void> {
  const nodes = await client.list<{ metadata: { name: string } }>(
    { group: '', version: 'v1', plural: 'nodes' },
    undefined,
  );
  for (const node of nodes.items) {
    if (node.metadata.name.startsWith(namespace))
      await client
        .delete({ group: '', version: 'v1', plural: 'nodes' }, undefined, node.metadata.name)
        .catch(() => {});
  }
}

export interface OperatorProcess {
  child: ChildProcess;
  log(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

// The operator as a real process (so a test can SIGKILL it), watching one namespace, with a
// short leader lease so a successor takes over quickly. It gets a SIGTERM when the test finishes,
// before its namespace goes (onTestFinished runs the last registered first).
export function startOperator(ns: TestNamespace, extraArgs: string[] = []): OperatorProcess {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kvm-operator-test-'));
  const logFile = path.join(dir, 'operator.log');
  const out = createWriteStream(logFile);
  const child = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'operator/src/main.ts'),
      '--kubeconfig',
      ns.kubeconfig,
      '--namespace',
      ns.name,
      '--leader-elect-namespace',
      ns.name,
      '--lease-duration',
      '3',
      '--executor-image',
      'localhost/kvmatrix-executor:test',
      // The Secrets the builders name (builders.ts); any other is refused.
      '--allowed-ssh-key-secrets',
      'ssh,cluster-ssh',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const operator: OperatorProcess = {
    child,
    log: () => readFileSync(logFile, 'utf8'),
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill(signal);
        await exited;
      }
      out.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  onTestFinished(() => operator.kill('SIGTERM'));
  return operator;
}

// A namespace ready for a ClusterDeployment: the SSH key Secret it names (`cluster-ssh`),
// `machines` Idle machines m1..mN in pool `a` whose hostnames start with the namespace (so the
// Nodes a test registers never clash), and one operator watching it.
export async function setUpOperatorNamespace(
  prefix: string,
  machines: number,
): Promise<{ ns: TestNamespace; operator: OperatorProcess }> {
  const ns = await createTestNamespace(prefix);
  const { client, name } = ns;
  await client.create(secretsType, name, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'cluster-ssh' },
    type: 'kubernetes.io/ssh-auth',
    stringData: {
      'ssh-privatekey': '-----BEGIN OPENSSH PRIVATE KEY-----\ntest\n-----END OPENSSH PRIVATE KEY-----\n',
    },
  });
  for (let i = 1; i <= machines; i++) {
    await client.create(machinesType, name, machineObject(`m${i}`, { pool: 'a' }, `${name}-m${i}`));
  }
  return { ns, operator: startOperator(ns) };
}

export function parseYaml<T>(text: string): T {
  return parse(text) as T;
}
