import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { MachineSpec } from '../src/contracts/machine.ts';
import { LABEL_RUN, newRunId } from '../src/host/labels.ts';
import { runTool } from '../src/host/run-tool.ts';
import {
  DEFAULT_OS,
  describeGoldenImage,
  ensureGoldenImage,
  isGoldenImageBuilt,
} from '../src/providers/local/golden-image.ts';
import type { Provider } from '../src/providers/provider.ts';
import { ensureSnapshot, SETUP_SNAPSHOT_MACHINE } from '../src/providers/qemu/snapshot.ts';
import { createProvider } from '../src/providers/registry.ts';
import type { Print as BenchPrint } from './bench.ts';

// Figures of the local providers: golden image (cold, with --cold, and cached), time to SSH for
// 1 and 3 machines from a warm cache, resident memory per machine. Targets: 3 podman nodes
// reachable over SSH in under 3 s; 3 qemu VMs in under 10 s from a cached snapshot; under
// 600 MB resident per VM.
const spec = (name: string): MachineSpec => ({ name, roles: [], os: DEFAULT_OS, ...SETUP_SNAPSHOT_MACHINE });

async function residentMiB(provider: string, runId: string): Promise<number[]> {
  if (provider === 'podman') {
    // The memory cgroup usage of each node container, as `podman stats` reports it.
    const out = await runTool('podman', [
      'stats',
      '--no-stream',
      '--format',
      '{{.MemUsage}}',
      ...(await runTool('podman', ['ps', '-q', '--filter', `label=${LABEL_RUN}=${runId}`])).stdout
        .split('\n')
        .filter(Boolean),
    ]);
    const unit: Record<string, number> = { B: 1 / 2 ** 20, kB: 1 / 1024, KB: 1 / 1024, MB: 1, GB: 1024 };
    return out.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const match = /^([\d.]+)\s*([kKMG]?B)/.exec(line.trim());
        return match ? Number(match[1]) * (unit[match[2] ?? 'MB'] ?? 1) : Number.NaN;
      });
  }
  const { findQemuProcesses } = await import('../src/providers/qemu/vm-process.ts');
  const sizes: number[] = [];
  for (const p of await findQemuProcesses(runId)) {
    const status = await readFile(`/proc/${p.pid}/status`, 'utf8');
    sizes.push(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  }
  return sizes;
}

async function timeUp(provider: Provider, count: number, scratch: string, print: BenchPrint): Promise<void> {
  const id = { runId: newRunId(), cell: `bench-${provider.name}-${count}` };
  const stateDir = path.join(scratch, id.runId);
  const started = Date.now();
  // The host's 1-minute load average when the timing starts: on shared machines it explains most
  // of the spread between runs.
  const load = loadavg()[0]?.toFixed(1) ?? '?';
  try {
    const result = await provider.up({
      id,
      machines: Array.from({ length: count }, (_, i) => spec(`b${i + 1}`)),
      stateDir,
    });
    const seconds = (Date.now() - started) / 1000;
    const rss = await residentMiB(provider.name, id.runId);
    print(
      `${provider.name}: ${count} machine(s) reachable over SSH in ${seconds.toFixed(2)} s (load ${load})`,
    );
    print(
      `${provider.name}: resident memory per machine: ${rss.map((r) => `${r.toFixed(0)} MiB`).join(', ')}`,
    );
    // Each phase as min-max over the machines (ms), in the order they first started.
    const byPhase = new Map<string, number[]>();
    for (const p of [...result.phases].sort((a, b) => a.startedAt.localeCompare(b.startedAt)))
      byPhase.set(p.phase, [...(byPhase.get(p.phase) ?? []), p.durationMs]);
    print(
      `${provider.name}: phases (ms): ${[...byPhase]
        .map(([phase, ms]) => {
          const lo = Math.min(...ms);
          const hi = Math.max(...ms);
          return `${phase} ${lo === hi ? lo : `${lo}-${hi}`}`;
        })
        .join(', ')}`,
    );
  } finally {
    const downStarted = Date.now();
    await provider.down(id, stateDir);
    print(`${provider.name}: down of ${count} in ${((Date.now() - downStarted) / 1000).toFixed(2)} s`);
  }
}

// Flags after the area name: --cold (also time a debootstrap into an empty cache), --podman-only,
// --qemu-only.
export async function benchProviders(print: BenchPrint): Promise<void> {
  const args = process.argv.slice(2);
  const scratch = await mkdtemp(path.join(tmpdir(), 'kvm-bench-providers-'));
  try {
    if (args.includes('--cold')) {
      const saved = process.env.KVMATRIX_CACHE_DIR;
      process.env.KVMATRIX_CACHE_DIR = path.join(scratch, 'cache');
      const started = Date.now();
      await ensureGoldenImage('debian12');
      print(
        `image build, cold (debootstrap from the mirror, no package cache): ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      if (saved === undefined) delete process.env.KVMATRIX_CACHE_DIR;
      else process.env.KVMATRIX_CACHE_DIR = saved;
    }
    const image = await describeGoldenImage('debian12');
    const recorded = await readFile(path.join(image.dir, 'build-seconds'), 'utf8').catch(() => undefined);
    if (recorded) print(`image build, recorded when built here: ${Number(recorded).toFixed(0)} s`);
    const started = Date.now();
    if (!(await isGoldenImageBuilt(image))) print('image not built yet: building (npm run setup does this)');
    await ensureGoldenImage('debian12', print);
    print(`image build, cached: ${Date.now() - started} ms`);
    const providers = args.includes('--qemu-only')
      ? ['qemu']
      : args.includes('--podman-only')
        ? ['podman']
        : ['podman', 'qemu'];
    for (const name of providers) {
      const provider = await createProvider(name);
      const failed = (await provider.preflight([spec('b1')])).filter((c) => !c.ok);
      if (failed.length > 0) {
        print(`${name}: skipped: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`);
        continue;
      }
      if (name === 'qemu') {
        const { chooseAccel } = await import('../src/providers/qemu/accel-probe.ts');
        const accel = await chooseAccel(image.kernel, image.initrd);
        print(`qemu: accelerator ${accel.accel} (${accel.reason})`);
        const snapStarted = Date.now();
        await ensureSnapshot(
          image,
          accel,
          SETUP_SNAPSHOT_MACHINE.cpus,
          SETUP_SNAPSHOT_MACHINE.memoryMiB,
          () => {},
        );
        print(
          `qemu: template snapshot ready in ${((Date.now() - snapStarted) / 1000).toFixed(1)} s (0 when cached)`,
        );
      }
      await timeUp(provider, 1, scratch, print);
      await timeUp(provider, 3, scratch, print);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
