import { execa } from 'execa';
import { loadRunState } from '../run/run-state.ts';
import { LabKubectl } from './lab-kubectl.ts';
import { isAlive } from './lab-mirror.ts';
import { readLabState } from './lab-state.ts';

// `kvmatrix lab status`: what `lab up` left, whether it still answers, and what it costs (the
// node containers' memory as podman counts it). Read-only.
export async function labStatus(): Promise<string[]> {
  const state = await readLabState();
  if (!state) return ['no lab (kvmatrix lab up makes one)'];
  const lines = [
    `cell ${state.cell} since ${state.createdAt}`,
    `mirror ${state.registry} (pid ${state.mirrorPid ?? '-'}, ${state.mirrorPid && isAlive(state.mirrorPid) ? 'running' : 'stopped'})`,
    `routes ${state.routes.join(', ') || '-'}`,
    `last up: ${Object.entries(state.phases)
      .map(([phase, s]) => `${phase} ${s}s`)
      .join(', ')}`,
  ];
  const run = await loadRunState(state.cell);
  if (run) {
    // Every node container's name carries the run id (kvm-<run id>-<machine>).
    const stats = await execa(
      'podman',
      ['stats', '--no-stream', '--format', '{{.Name}} {{.MemUsage}} {{.CPUPerc}}'],
      {
        reject: false,
      },
    );
    const text = String(stats.stdout)
      .split('\n')
      .filter((l) => l.includes(run.id.runId))
      .join('\n');
    for (const line of text.split('\n').filter(Boolean)) lines.push(`node ${line}`);
    const k = new LabKubectl(state.kubectl, state.kubeconfig);
    for (const [what, args] of [
      ['kubevirt', ['get', 'kubevirt', '-n', 'kubevirt', 'kubevirt', '-o', 'jsonpath={.status.phase}']],
      ['cdi', ['get', 'cdi', 'cdi', '-o', 'jsonpath={.status.phase}']],
      ['datasources', ['get', 'datasource', '-n', 'kvmatrix-images', '-o', 'name']],
    ] as const) {
      const value = await k
        .run([...args], undefined, 20_000)
        .catch((e: Error) => `unreachable (${e.message.slice(0, 80)})`);
      lines.push(`${what} ${value.replace(/\n/g, ' ').trim() || '-'}`);
    }
  } else {
    lines.push(`the deploy cell's machines are gone (kvmatrix lab down cleans up the rest)`);
  }
  lines.push(`KUBECONFIG=${state.kubeconfig}`);
  return lines;
}
