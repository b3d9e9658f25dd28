import { Buffer } from 'node:buffer';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isManaged } from '../contracts/machine.ts';
import type { MgmtKubectl } from './mgmt-kubectl.ts';
import {
  countRoles,
  type KubeObject,
  renderClusterDeployment,
  renderMachine,
  renderWorkloadNamespace,
  SSH_KEY_SECRET,
  WORKLOAD_CLUSTER,
  WORKLOAD_NAMESPACE,
} from './operator-manifests.ts';
import type { OperatorStepContext } from './operator-step-context.ts';
import { waitForClusterDeployment } from './operator-wait.ts';

// operator-cluster: the namespace, SSH key Secret, Idle Machines and the ClusterDeployment;
// operator-scale: the step's held-back machines as Idle Machines and the machine sets grown to
// match. Both then wait for the operator to report the cluster Ready.
export async function deployWorkload(
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
export async function readWorkloadKubeconfig(ctx: OperatorStepContext, k: MgmtKubectl): Promise<string> {
  const name = `${WORKLOAD_CLUSTER}-kubeconfig`;
  const secret = await k.getJson<{ data?: { value?: string } }>(['secret', name, '-n', WORKLOAD_NAMESPACE]);
  const value = secret?.data?.value;
  if (!value) throw new Error(`Secret ${WORKLOAD_NAMESPACE}/${name} (key value) was not published`);
  const file = path.join(ctx.runDir, 'workload.conf');
  await writeFile(file, Buffer.from(value, 'base64'), { mode: 0o600 });
  return file;
}
