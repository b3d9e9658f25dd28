import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import pLimit from 'p-limit';
import { parse } from 'yaml';
import { repoRoot } from '../src/host/paths.ts';
import { matrixDimensions } from '../src/matrix/cover-cells.ts';
import { coverInteractions, measureCoverage } from '../src/matrix/cover-interactions.ts';
import { type LoadedMatrix, loadMatrix } from '../src/matrix/load-matrix.ts';
import { findTier, tierBase } from '../src/matrix/select-tier.ts';
import { generatePipelines } from '../src/pipeline/generate-pipelines.ts';
import { listJobsWithGitlabCiLocal } from '../src/pipeline/test/gitlab-ci-local.ts';
import { validateGitlabCi } from '../src/pipeline/test/gitlab-ci-schema.ts';
import type { Print } from './bench.ts';

// The covering strategy against allpairspy (PyPI) on the same models in the same run: the shipped
// matrix and one the size of kubespray's KubeVirt CI. allpairspy runs from a venv of its own
// (KVMATRIX_ALLPAIRSPY_PYTHON, default .venv-bench/bin/python: `python3 -m venv .venv-bench &&
// .venv-bench/bin/pip install allpairspy==2.5.1`); without it its columns say so.

type Rows = number[][];

// 13 OSes x 7 network plugins x 3 runtimes x 8 layouts x 8 scenarios, with constraints of the
// kind kubespray's CI has: immutable OSes only with containerd, plugins that need several nodes,
// scenarios tied to layouts.
export function makeKubesprayMatrix(): string {
  const oses = [
    'almalinux8',
    'almalinux9',
    'amazon2023',
    'debian11',
    'debian12',
    'debian13',
    'fedora39',
    'fedora40',
    'flatcar',
    'fcos',
    'opensuse15',
    'rockylinux9',
    'ubuntu2404',
  ];
  const networks = ['calico', 'cilium', 'flannel', 'kube-ovn', 'kube-router', 'macvlan', 'custom-cni'];
  const runtimes = ['containerd', 'crio', 'docker'];
  const layouts = [
    'aio',
    'ha',
    'ha-recover',
    'separate',
    'all-in-one-docker',
    'node-etcd-client',
    'external-etcd',
    'scale',
  ];
  const scenarios = [
    'deploy',
    'upgrade',
    'scale',
    'reset',
    'idempotence',
    'parameter-change',
    'recover',
    'e2e',
  ];
  const values = (list: string[], v: string) =>
    list.map((id) => `      ${id}: { vars: { ${v}: ${id} } }`).join('\n');
  const layoutValues = layouts
    .map((id) => {
      const nodes = [
        '          - { name: cp1, roles: [control-plane, worker] }',
        ...(id === 'aio' ? [] : ['          - { name: w1, roles: [worker] }']),
        ...(id === 'external-etcd' ? ['          - { name: etcd1, roles: [etcd] }'] : []),
        ...(['scale', 'ha', 'separate', 'external-etcd'].includes(id)
          ? ['          - { name: w2, roles: [worker], heldBack: true }']
          : []),
      ];
      return `      ${id}:\n        nodes:\n${nodes.join('\n')}`;
    })
    .join('\n');
  return `version: 1
pipeline: { jobsPerPipeline: 150 }
axes:
  os:
    values:
${values(oses, 'kvmatrix_os')}
  network:
    values:
${values(networks, 'network_plugin')}
  runtime:
    values:
${values(runtimes, 'container_runtime')}
  layout:
    values:
${layoutValues}
steps:
  deploy: { kind: deploy, playbook: cluster.yml, checks: [apiserver, nodes-ready] }
  upgrade: { kind: upgrade, playbook: upgrade.yml, checks: [apiserver] }
  add-worker: { kind: scale-up, playbook: scale.yml, scale: { add: worker }, checks: [nodes-ready] }
  reset: { kind: reset, playbook: reset.yml, checks: [] }
  again: { kind: idempotence, playbook: cluster.yml, checks: [apiserver] }
  kubelet: { kind: parameter-change, playbook: node.yml, vars: { kubelet_max_pods: 150 }, checks: [nodes-ready] }
  recover: { kind: recover, playbook: cluster.yml, checks: [apiserver] }
  e2e: { kind: deploy, playbook: cluster.yml, checks: [apiserver, e2e] }
scenarios:
${scenarios.map((s) => `  ${s}: { steps: [${s === 'deploy' ? 'deploy' : s === 'scale' ? 'deploy, add-worker' : s === 'idempotence' ? 'deploy, again' : s === 'parameter-change' ? 'deploy, kubelet' : s === 'e2e' ? 'e2e' : `deploy, ${s}`}] }`).join('\n')}
constraints:
  - { if: { os: [flatcar, fcos] }, requires: { runtime: containerd } }
  - { if: { layout: all-in-one-docker }, requires: { runtime: docker } }
  - { if: { network: [kube-ovn, macvlan] }, requires: { layout: [ha, ha-recover, separate, scale, external-etcd] } }
  - { if: { scenario: scale }, requires: { layout: [scale, ha, separate, external-etcd] } }
  - { if: { scenario: recover }, requires: { layout: [ha-recover, ha] } }
tiers:
  pr: { strategy: pairwise }
  budget: { strategy: pairwise, maxCells: 23 }
  three: { strategy: pairwise, strength: 3 }
  mixed: { strategy: pairwise, groups: [{ axes: [os, runtime, network], strength: 3 }] }
  nightly: { strategy: product, changeImpact: false }
`;
}

function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

const pct = (c: { covered: number; required: number }) =>
  `${((100 * c.covered) / Math.max(1, c.required)).toFixed(1)}%`;

function allpairspyPython(): string | undefined {
  const python =
    process.env.KVMATRIX_ALLPAIRSPY_PYTHON ?? path.join(repoRoot, '.venv-bench', 'bin', 'python');
  return existsSync(python) ? python : undefined;
}

async function allpairspy(
  sizes: number[],
  rows: Rows,
  n: 2 | 3,
): Promise<{ rows: Rows; ms: number } | string> {
  const python = allpairspyPython();
  if (!python) return 'allpairspy not installed (see harness/bench/covering.ts)';
  const start = performance.now();
  const result = await execa(python, [path.join(repoRoot, 'harness/bench/allpairspy/cover.py')], {
    input: JSON.stringify({ sizes, rows, n }),
    reject: false,
    timeout: 900_000,
    maxBuffer: 1 << 28,
  });
  if (result.exitCode !== 0) return `allpairspy failed: ${String(result.stderr).slice(-300)}`;
  return { rows: JSON.parse(String(result.stdout)) as Rows, ms: performance.now() - start };
}

async function compareOnModel(
  print: Print,
  label: string,
  matrix: LoadedMatrix,
  tierId: string,
): Promise<void> {
  const def = matrix.definition;
  const { sizes, rowOf } = matrixDimensions(def);
  const candidates = tierBase(matrix, findTier(def, tierId));
  const rows = candidates.map(rowOf);
  const nightly = tierBase(matrix, findTier(def, 'nightly')).map(rowOf);
  print(
    `${label}: ${rows.length} candidate cells (${sizes.join(' x ')} values), nightly ${nightly.length} cells`,
  );
  const ours = timed(() => coverInteractions(rows, sizes));
  const ourRows = ours.value.picked.map((i) => rows[i] as number[]);
  const theirs = await allpairspy(sizes, rows, 2);
  const theirRows = typeof theirs === 'string' ? undefined : theirs.rows;
  const pairs = (chosen: Rows) => measureCoverage(rows, chosen, sizes);
  const triples = (chosen: Rows) => measureCoverage(rows, chosen, sizes, { strength: 3 });
  print(
    `  full 2-way: kvmatrix ${ourRows.length} cells (${pct(pairs(ourRows))} of ${ours.value.required} pairs, ${ours.ms.toFixed(0)} ms); ` +
      (theirRows
        ? `allpairspy ${theirRows.length} cells (${pct(pairs(theirRows))}, ${(theirs as { ms: number }).ms.toFixed(0)} ms)`
        : String(theirs)),
  );
  const canonical = [...ours.value.picked].sort((a, b) => a - b).map((i) => rows[i] as number[]);
  for (const budget of [10, 23, 50]) {
    const cut = ourRows.slice(0, budget);
    print(
      `  budget ${budget}: kvmatrix ${pct(pairs(cut))} of pairs (greedy order); first ${budget} of the set in list order ${pct(pairs(canonical.slice(0, budget)))}; ` +
        (theirRows
          ? `allpairspy's first ${budget} ${pct(pairs(theirRows.slice(0, budget)))}`
          : String(theirs)),
    );
  }
  print(
    `  3-way coverage: of the 2-way set kvmatrix ${pct(triples(ourRows))}${theirRows ? `, allpairspy ${pct(triples(theirRows))}` : ''}; ` +
      `of the nightly tier ${pct(measureCoverage(nightly, nightly, sizes, { strength: 3 }))} (${nightly.length} cells)`,
  );
  const three = timed(() => coverInteractions(rows, sizes, { strength: 3 }));
  const threeRows = three.value.picked.map((i) => rows[i] as number[]);
  const theirThree = await allpairspy(sizes, rows, 3);
  print(
    `  3-way tier: kvmatrix ${threeRows.length} cells (${pct(triples(threeRows))} of ${three.value.required} triples, ${three.ms.toFixed(0)} ms); ` +
      (typeof theirThree === 'string'
        ? theirThree
        : `allpairspy n=3 ${theirThree.rows.length} cells (${pct(triples(theirThree.rows))}, ${theirThree.ms.toFixed(0)} ms)`),
  );
  const groupDims = ['os', 'runtime', 'network']
    .map((a) => def.axes.findIndex((x) => x.id === a))
    .filter((d) => d >= 0);
  const mixed = coverInteractions(rows, sizes, { groups: [{ dims: groupDims, strength: 3 }] });
  print(`  mixed strength (os x runtime x network at 3, pairs elsewhere): ${mixed.picked.length} cells`);
  printStability(print, sizes, rows, ourRows);
}

// Stability: add one value to one axis (a copy of the axis's first value: same constraints) and
// count how many rows of the old covering set the new one keeps.
function printStability(print: Print, sizes: number[], rows: Rows, before: Rows): void {
  const key = (r: number[]) => r.join(',');
  const old = new Set(before.map(key));
  const kept: string[] = [];
  sizes.forEach((size, d) => {
    const grown = [...sizes];
    grown[d] = size + 1;
    const extra = rows.filter((r) => r[d] === 0).map((r) => r.map((v, i) => (i === d ? size : v)));
    // The new value's rows sit where the canonical order puts them: after its axis's other values.
    const all = [...rows, ...extra].sort((a, b) => {
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
      return 0;
    });
    const after = coverInteractions(all, grown).picked.map((i) => all[i] as number[]);
    const same = after.filter((r) => old.has(key(r))).length;
    // Seeding the new set with the old one keeps every old row and adds what the value needs.
    const seeded = coverInteractions(all, grown, { seeds: before }).picked.length;
    kept.push(
      `axis ${d}: ${same}/${before.length} kept, ${after.length} cells; seeded: ${before.length}/${before.length} kept + ${seeded}`,
    );
  });
  print(
    `  stability, adding one value to one axis (old rows kept by a fresh greedy; by one seeded with the old set): ${kept.join('; ')}`,
  );
}

// Time and memory of the covering greedy alone, on products of these sizes.
function scale(print: Print): void {
  const shapes: Array<[string, number[]]> = [
    ['10k', [10, 10, 10, 10]],
    ['100k', [10, 10, 10, 10, 10]],
    ['1M', [10, 10, 10, 10, 10, 10]],
  ];
  for (const [label, sizes] of shapes) {
    const total = sizes.reduce((a, b) => a * b, 1);
    const rows: Uint8Array[] = new Array(total);
    const counter = new Array(sizes.length).fill(0);
    for (let n = 0; n < total; n++) {
      rows[n] = Uint8Array.from(counter);
      for (let d = sizes.length - 1; d >= 0; d--) {
        counter[d]++;
        if (counter[d] < (sizes[d] as number)) break;
        counter[d] = 0;
      }
    }
    const before = process.memoryUsage();
    const cpu = process.cpuUsage();
    const run = timed(() => coverInteractions(rows, sizes));
    const used = process.cpuUsage(cpu);
    const after = process.memoryUsage();
    const mib = (b: number) => (b / 2 ** 20).toFixed(0);
    print(
      `scale ${label}: ${total} cells -> ${run.value.picked.length} (all ${run.value.required} pairs) in ${run.ms.toFixed(0)} ms wall, ` +
        `${((used.user + used.system) / 1000).toFixed(0)} ms CPU; +${mib(after.arrayBuffers - before.arrayBuffers + after.heapUsed - before.heapUsed)} MiB live ` +
        `(rss ${mib(after.rss)} MiB, peak ${mib(process.resourceUsage().maxRSS * 1024)} MiB)`,
    );
  }
}

// A 10,000-cell nightly generates; every file passes GitLab's schema and gitlab-ci-local --list.
async function bigNightly(print: Print, matrix: LoadedMatrix): Promise<void> {
  const generated = timed(() => generatePipelines(matrix, { tierId: 'nightly' }));
  const yml = generated.value.files.filter((f) => f.name.endsWith('.yml'));
  const biggest = Math.max(...yml.map((f) => f.content.length));
  const schemaErrors = yml.flatMap((f) => validateGitlabCi(parse(f.content)).map((e) => `${f.name}: ${e}`));
  print(
    `10k nightly: ${generated.value.cells.length} cells -> ${yml.length} files (${yml.length - 1} shards + dispatch.yml) in ${generated.ms.toFixed(0)} ms; ` +
      `largest ${(biggest / 1024).toFixed(0)} KiB; GitLab schema: ${schemaErrors.length ? `${schemaErrors.length} errors: ${schemaErrors.slice(0, 3).join('; ')}` : 'all pass'}`,
  );
  const sample = process.argv.includes('--quick') ? [yml[0], yml.at(-2), yml.at(-1)].filter(Boolean) : yml;
  const limit = pLimit(2);
  const start = performance.now();
  const results = await Promise.all(
    sample.map((f) =>
      limit(async () => ({ name: f?.name, ...(await listJobsWithGitlabCiLocal(f?.content ?? '')) })),
    ),
  );
  const failed = results.filter((r) => r.exitCode !== 0);
  print(
    `10k nightly: gitlab-ci-local --list on ${results.length} file(s): ${failed.length ? `${failed.length} FAILED (${failed.map((f) => f.name).join(', ')}; first: ${`${failed[0]?.stderr ?? ''}${failed[0]?.stdout ?? ''}`.trim().split('\n')[0]})` : 'all pass'} ` +
      `(${((performance.now() - start) / 1000).toFixed(0)} s)`,
  );
}

export async function benchCovering(print: Print): Promise<void> {
  const shipped = loadMatrix(
    readFileSync(path.join(repoRoot, 'matrix/matrix.yaml'), 'utf8'),
    'matrix/matrix.yaml',
  );
  await compareOnModel(print, 'shipped matrix, tier pr', shipped, 'pr');
  const kubespray = loadMatrix(makeKubesprayMatrix(), 'kubespray-sized.yaml');
  await compareOnModel(print, 'kubespray-sized matrix', kubespray, 'pr');
  scale(print);
  await bigNightly(print, kubespray);
}
