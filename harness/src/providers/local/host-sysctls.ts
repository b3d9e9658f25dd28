import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withFileLock } from '../../host/file-lock.ts';
import { checkPathName } from '../../host/path-name.ts';
import { stateDir } from '../../host/paths.ts';

// Host-wide (not namespaced) sysctls that software in a privileged node container can change:
// kubelet sets vm.overcommit_memory, kernel.panic, kernel.panic_on_oops; deployment code raises
// inotify and map limits; systemd's sysctl.d defaults touch fs.protected_* and kernel.sysrq.
export const WATCHED_SYSCTLS = [
  'vm.overcommit_memory',
  'vm.overcommit_ratio',
  'vm.panic_on_oom',
  'vm.max_map_count',
  'vm.swappiness',
  'kernel.panic',
  'kernel.panic_on_oops',
  'kernel.pid_max',
  'kernel.keys.root_maxkeys',
  'kernel.keys.root_maxbytes',
  'kernel.sysrq',
  'kernel.core_pattern',
  'kernel.kptr_restrict',
  'kernel.dmesg_restrict',
  'fs.inotify.max_user_watches',
  'fs.inotify.max_user_instances',
  'fs.inotify.max_queued_events',
  'fs.file-max',
  'fs.nr_open',
  'fs.aio-max-nr',
  'fs.protected_hardlinks',
  'fs.protected_symlinks',
  'fs.protected_regular',
  'fs.protected_fifos',
  'net.netfilter.nf_conntrack_max',
];

function procPath(key: string): string {
  return path.join('/proc/sys', ...key.split('.'));
}

export async function readSysctls(keys: string[] = WATCHED_SYSCTLS): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = await readFile(procPath(key), 'utf8').catch(() => undefined);
    if (value !== undefined) out[key] = value.trim();
  }
  return out;
}

// Writes back every value that differs from `baseline`; returns what changed ("key: now -> was").
export async function restoreSysctls(baseline: Record<string, string>): Promise<string[]> {
  const now = await readSysctls(Object.keys(baseline));
  const restored: string[] = [];
  for (const [key, value] of Object.entries(baseline)) {
    if (now[key] === undefined || now[key] === value) continue;
    try {
      await writeFile(procPath(key), value);
      restored.push(`${key}: ${now[key]} -> ${value}`);
    } catch (error) {
      restored.push(`${key}: could not restore ${value} (${(error as Error).message})`);
    }
  }
  return restored;
}

// The sysctls are the host's, so every run on the host shares one registry, whatever its
// KVMATRIX_STATE_DIR (tests use scratch ones: with a registry each, a test's release restored
// its own baseline under a live run). /run is emptied at boot, as the sysctls are reset.
export function hostDir(): string {
  if (process.env.KVMATRIX_HOST_STATE_DIR) return process.env.KVMATRIX_HOST_STATE_DIR;
  return process.getuid?.() === 0 ? '/run/kvmatrix/host' : stateDir('host');
}

// Records the host's sysctls before the first live local run and registers this run; the
// baseline is restored when the last registered run is released (by `down` or `reap`), so
// overlapping runs on one host don't restore each other's values mid-run.
export async function registerRunSysctls(runId: string, provider: string): Promise<void> {
  const dir = hostDir();
  await withFileLock(path.join(dir, 'sysctl.lock'), async () => {
    await mkdir(path.join(dir, 'runs'), { recursive: true });
    const live = await readdir(path.join(dir, 'runs'));
    const baselineFile = path.join(dir, 'sysctl-baseline.json');
    const hasBaseline = await readFile(baselineFile, 'utf8').then(
      () => true,
      () => false,
    );
    if (live.length === 0 || !hasBaseline) {
      await writeFile(baselineFile, `${JSON.stringify(await readSysctls(), null, 2)}\n`);
    }
    await writeFile(
      path.join(dir, 'runs', checkPathName(runId, 'run id')),
      JSON.stringify({ runId, provider, at: new Date().toISOString() }),
    );
  });
}

// Raises host-wide limits that several node containers exhaust together (no user namespaces:
// every kubelet, systemd and kube-proxy of every node counts against root's inotify instances,
// 128 by default; a 4-node cell beside another run hits it and kube-proxy dies with "too many
// open files"). Call after registerRunSysctls: the baseline brings the old values back when the
// last run is released. Never lowers a value.
export const RUN_SYSCTL_MINIMUMS: Record<string, number> = { 'fs.inotify.max_user_instances': 1024 };

export async function raiseRunSysctls(
  minimums: Record<string, number> = RUN_SYSCTL_MINIMUMS,
): Promise<string[]> {
  const raised: string[] = [];
  for (const [key, minimum] of Object.entries(minimums)) {
    const now = Number((await readFile(procPath(key), 'utf8').catch(() => '')).trim());
    if (!Number.isFinite(now) || now >= minimum) continue;
    await writeFile(procPath(key), String(minimum)).then(
      () => raised.push(`${key}: ${now} -> ${minimum}`),
      () => {},
    );
  }
  return raised;
}

// Releases a run; when no registered run is left, restores the baseline. Idempotent.
export async function releaseRunSysctls(runId: string): Promise<string[]> {
  const dir = hostDir();
  return withFileLock(path.join(dir, 'sysctl.lock'), async () => {
    await rm(path.join(dir, 'runs', checkPathName(runId, 'run id')), { force: true });
    const live = await readdir(path.join(dir, 'runs')).catch(() => []);
    if (live.length > 0) return [];
    const baselineFile = path.join(dir, 'sysctl-baseline.json');
    const text = await readFile(baselineFile, 'utf8').catch(() => undefined);
    if (!text) return [];
    const restored = await restoreSysctls(JSON.parse(text) as Record<string, string>);
    await rm(baselineFile, { force: true });
    return restored;
  });
}

// Runs registered by a provider (for reap: a registration whose resources are gone is released).
export async function listRegisteredRuns(provider: string): Promise<string[]> {
  const dir = path.join(hostDir(), 'runs');
  const out: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const text = await readFile(path.join(dir, name), 'utf8').catch(() => '{}');
    if ((JSON.parse(text) as { provider?: string }).provider === provider) out.push(name);
  }
  return out;
}
