import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { filesIn, podmanLeftovers } from '../src/run/test/leftovers.ts';
import { spawnKvmatrix } from '../src/run/test/run-cell-cli.ts';
import type { Print } from './bench.ts';

// `npm run bench -- chaos [--points=20] [--faults] [--cell=<name>]`: a real cell on podman, killed
// with SIGKILL at points spread over its life (provisioning, each playbook step, checks,
// teardown), then `kvmatrix reap`; and the faults: the artifact server killed mid-playbook, the
// node container killed mid-step, SSH cut. For each: exit status, the classification the record
// gives (3 infrastructure / 1 product), and what is left (containers, networks, volumes,
// firewall rules, host sysctl records, processes, run state) before and after reap. The target:
// nothing after reap, at every point. Uses its own KVMATRIX_STATE_DIR; one pass takes about
// (points + 4) cell runs, so run it on a machine that is not saturated.
const DEFAULT_CELL = 'debian12-1.34-containerd-bridge-aio-deploy';

interface Run {
  exit: number | string;
  phase: string;
  record?: { outcome?: string };
}

export async function benchChaos(print: Print): Promise<void> {
  const argv = process.argv.slice(2);
  if (!argv.includes('chaos')) {
    print('skipped (about 25 cell runs): run it by name, `npm run bench -- chaos`');
    return;
  }
  const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const cell = option('cell') ?? DEFAULT_CELL;
  const points = Number(option('points') ?? 20);
  const stateDir = process.env.KVMATRIX_STATE_DIR ?? path.join('/work', 'state-hardening-chaos');
  const env = { KVMATRIX_STATE_DIR: stateDir };
  await mkdir(stateDir, { recursive: true });
  const work = await mkdtemp(path.join(tmpdir(), 'kvm-chaos-'));
  try {
    // A full run first: its wall time and the order of its phases place the kill points.
    const baseline = await runCell(cell, env, path.join(work, 'baseline'));
    print(
      `baseline: exit ${baseline.run.exit} in ${(baseline.ms / 1000).toFixed(0)} s; phases ${baseline.phases.map((p) => `${p.name}@${(p.at / 1000).toFixed(0)}s`).join(', ')}`,
    );
    print('| # | killed at | during | exit | classified | left before reap | left after reap |');
    print('| --- | --- | --- | --- | --- | --- | --- |');
    let dirty = 0;
    for (let i = 0; i < points; i++) {
      const at = Math.round((baseline.ms * (i + 0.5)) / points);
      const out = path.join(work, `kill-${i}`);
      const r = await runCell(cell, env, out, { killAtMs: at });
      const before = await leftovers(cell, stateDir);
      const reap = await spawnKvmatrix(['reap', '--provider', 'podman'], { env });
      const after = await leftovers(cell, stateDir);
      if (after.length) dirty++;
      print(
        `| ${i + 1} | ${(at / 1000).toFixed(0)} s | ${r.run.phase} | ${r.run.exit} | ${r.run.record?.outcome ?? '(no record)'} | ${summarise(before)} | ${summarise(after)}${reap.exitCode ? ` (reap exit ${reap.exitCode})` : ''} |`,
      );
    }
    if (argv.includes('--faults')) {
      for (const fault of ['artifact-server', 'node-container', 'ssh'] as const) {
        const out = path.join(work, `fault-${fault}`);
        const r = await runCell(cell, env, out, { fault, faultAtMs: faultTime(baseline, fault) });
        const before = await leftovers(cell, stateDir);
        await spawnKvmatrix(['reap', '--provider', 'podman'], { env });
        const after = await leftovers(cell, stateDir);
        if (after.length) dirty++;
        print(
          `| fault: ${fault} | ${r.run.phase} | | ${r.run.exit} | ${r.run.record?.outcome ?? '(no record)'} | ${summarise(before)} | ${summarise(after)} |`,
        );
      }
    }
    print(`${dirty === 0 ? 'zero' : dirty} runs with leftovers after reap`);
    if (dirty) throw new Error(`${dirty} runs left something behind after reap`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

interface Timeline {
  run: Run;
  ms: number;
  phases: Array<{ name: string; at: number }>;
}

type Fault = 'artifact-server' | 'node-container' | 'ssh';

// One run of the cell; killed with SIGKILL at `killAtMs`, or with `fault` injected at `faultAtMs`.
async function runCell(
  cell: string,
  env: Record<string, string>,
  out: string,
  options: { killAtMs?: number; fault?: Fault; faultAtMs?: number } = {},
): Promise<Timeline> {
  const started = Date.now();
  const child = spawnKvmatrix(['run', cell, '--provider', 'podman', '--artifacts', out], { env });
  const phases: Array<{ name: string; at: number }> = [];
  child.all?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      const name = phaseOf(line);
      if (name && phases.at(-1)?.name !== name) phases.push({ name, at: Date.now() - started });
    }
  });
  const timers: NodeJS.Timeout[] = [];
  if (options.killAtMs !== undefined) timers.push(setTimeout(() => child.kill('SIGKILL'), options.killAtMs));
  if (options.fault && options.faultAtMs !== undefined) {
    const fault = options.fault;
    timers.push(setTimeout(() => void injectFault(fault, child.pid ?? 0), options.faultAtMs));
  }
  const result = await child;
  for (const t of timers) clearTimeout(t);
  const record = await readFile(path.join(out, 'result.json'), 'utf8')
    .then((t) => JSON.parse(t) as { outcome?: string })
    .catch(() => undefined);
  return {
    run: {
      exit: result.signal ?? result.exitCode ?? '?',
      phase: phases.at(-1)?.name ?? 'start',
      ...(record ? { record } : {}),
    },
    ms: Date.now() - started,
    phases,
  };
}

// The phase a progress line of the runner announces (plain `[hh:mm:ss] <label> ...` lines in
// CI mode: run-cell.ts, run-step.ts); the last step begun names the checks that follow it.
let lastStep = '';
function phaseOf(line: string): string | undefined {
  const begun = /^\[\d\d:\d\d:\d\d\] (.+) \.\.\.$/.exec(line.trim())?.[1];
  if (!begun) return undefined;
  if (begun.startsWith('provision')) return 'provisioning';
  const step = /^step ([\w.-]+):/.exec(begun);
  if (step) {
    lastStep = step[1] as string;
    return `step ${lastStep}`;
  }
  if (begun.startsWith('check ')) return `checks of ${lastStep}`;
  if (begun.startsWith('collect')) return 'cluster dump';
  if (begun.startsWith('tear down')) return 'teardown';
  return begun.split(' ')[0];
}

function faultTime(baseline: Timeline, fault: Fault): number {
  const step = baseline.phases.find((p) => p.name.startsWith('step '));
  const next = baseline.phases[baseline.phases.indexOf(step as never) + 1];
  const start = step?.at ?? baseline.ms / 3;
  const end = next?.at ?? (baseline.ms * 2) / 3;
  return Math.round(start + (end - start) * (fault === 'ssh' ? 0.6 : 0.4));
}

async function injectFault(fault: Fault, harnessPid: number): Promise<void> {
  if (fault === 'artifact-server') {
    // The mirror's registry runs as a child process of the harness.
    const r = await execa('pgrep', ['-P', String(harnessPid)], { reject: false });
    for (const pid of String(r.stdout).split('\n').filter(Boolean)) {
      const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (/registry/.test(cmd)) process.kill(Number(pid), 'SIGKILL');
    }
    return;
  }
  const containers = await execa(
    'podman',
    ['ps', '--filter', `label=kvmatrix.owner=${harnessPid}`, '--format', '{{.Names}}'],
    { reject: false },
  );
  const name = String(containers.stdout).split('\n').find(Boolean);
  if (!name) return;
  if (fault === 'node-container') await execa('podman', ['kill', name], { reject: false });
  else
    await execa('podman', ['exec', name, 'sh', '-c', 'systemctl stop ssh.socket ssh; pkill -KILL sshd'], {
      reject: false,
    });
}

// Everything a run of `cell` could leave: podman resources by label, iptables rules and host
// sysctl records carrying a run id, processes started with this state folder, run state files.
async function leftovers(cell: string, stateDir: string): Promise<string[]> {
  const found = await podmanLeftovers(cell);
  const rules = await execa('iptables', ['-S', 'FORWARD'], { reject: false });
  for (const line of String(rules.stdout).split('\n'))
    if (line.includes('kvmatrix.run=')) found.push(`iptables ${line}`);
  for (const dir of ['/run/kvmatrix/host/runs', path.join(stateDir, 'host', 'runs')]) {
    for (const f of await filesIn(dir)) found.push(`sysctl record ${f}`);
  }
  const ps = await execa('pgrep', ['-af', stateDir], { reject: false });
  for (const line of String(ps.stdout).split('\n').filter(Boolean)) {
    if (!line.includes('pgrep')) found.push(`process ${line.slice(0, 80)}`);
  }
  for (const f of await filesIn(path.join(stateDir, 'runs'))) found.push(`run state ${f}`);
  for (const f of await filesIn(path.join(stateDir, 'local-runs'))) found.push(`run index ${f}`);
  return found;
}

function summarise(items: string[]): string {
  if (items.length === 0) return 'none';
  const kinds = new Map<string, number>();
  for (const item of items) {
    const kind = item.split(' ')[0] as string;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return [...kinds].map(([k, n]) => `${n} ${k}`).join(', ');
}
