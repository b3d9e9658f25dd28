import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { dataVolumes, type KubeObject, virtualMachineInstances, virtualMachines } from './api-resources.ts';
import { apiMessage, type KubeClients } from './kube-clients.ts';
import type { KubevirtRunState } from './run-state.ts';
import { runSsh } from './ssh-ready.ts';

// Collects, for the job's artifacts, what explains a machine that did not come up: the KubeVirt
// and CDI objects with their status, the namespace's events (VMI, DataVolume, PVC), each VM's
// serial console and, where SSH works, cloud-init's logs. Never throws for one missing piece:
// it writes what it could and says what it could not.
export async function dumpNamespaceLogs(
  clients: KubeClients,
  namespace: string,
  state: KubevirtRunState | undefined,
  outDir: string,
): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const write = async (name: string, text: string): Promise<void> => {
    const file = path.join(outDir, name);
    await writeFile(file, text.endsWith('\n') ? text : `${text}\n`);
    written.push(file);
  };

  const objects: Record<string, unknown> = {};
  const vmis: KubeObject[] = [];
  for (const [label, ref] of [
    ['virtualmachines', virtualMachines],
    ['virtualmachineinstances', virtualMachineInstances],
    ['datavolumes', dataVolumes],
  ] as const) {
    try {
      const items = (
        (await clients.custom.listNamespacedCustomObject({ ...ref, namespace })) as { items: KubeObject[] }
      ).items;
      objects[label] = items;
      if (ref === virtualMachineInstances) vmis.push(...items);
    } catch (error) {
      objects[label] = `not listed: ${apiMessage(error)}`;
    }
  }
  await write('kubevirt-objects.yaml', stringify(objects));

  try {
    const events = (await clients.core.listNamespacedEvent({ namespace })).items;
    const lines = events
      .map((e) => ({
        at: String(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? ''),
        e,
      }))
      .sort((a, b) => a.at.localeCompare(b.at))
      .map(
        ({ at, e }) =>
          `${at} ${e.type} ${e.involvedObject.kind}/${e.involvedObject.name} ${e.reason}: ${e.message ?? ''}`,
      );
    await write('events.txt', lines.length ? lines.join('\n') : '(no events)');
  } catch (error) {
    await write('events.txt', `events not listed: ${apiMessage(error)}`);
  }

  for (const vmi of vmis) {
    const name = vmi.metadata?.name ?? 'unknown';
    await write(`${name}-serial-console.log`, await readSerialConsole(clients, namespace, vmi));
  }

  for (const m of state?.machines ?? []) {
    if (!m.address) continue;
    const target = {
      host: m.address,
      port: state?.sshPort ?? 22,
      user: 'root',
      keyFile: state?.keyFile ?? '',
    };
    const result = await runSsh(target, 'cat /var/log/cloud-init.log /var/log/cloud-init-output.log', 30_000);
    await write(
      `${m.machine}-cloud-init.log`,
      result.exitCode === 0
        ? String(result.stdout)
        : `cloud-init logs not read over SSH (${m.address}:${target.port}): ${(result.stderr || `ssh exited ${result.exitCode}`).trim()}`,
    );
  }
  return written;
}

// The serial console as KubeVirt keeps it: the virt-launcher pod's guest-console-log container
// (the templates set logSerialConsole: true), which holds the whole boot, unlike the console
// subresource that streams only what comes after connecting.
async function readSerialConsole(clients: KubeClients, namespace: string, vmi: KubeObject): Promise<string> {
  const uid = vmi.metadata?.uid;
  try {
    const pods = (
      await clients.core.listNamespacedPod({ namespace, labelSelector: `kubevirt.io/created-by=${uid}` })
    ).items;
    const pod = pods[0];
    if (!pod?.metadata?.name) {
      return `serial console not available: VMI ${vmi.metadata?.name} has no virt-launcher pod (phase ${String(vmi.status?.phase ?? 'unknown')}); the console subresource needs a running VMI too`;
    }
    return await clients.core.readNamespacedPodLog({
      namespace,
      name: pod.metadata.name,
      container: 'guest-console-log',
    });
  } catch (error) {
    return `serial console not read: ${apiMessage(error)}`;
  }
}
