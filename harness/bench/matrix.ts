import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../src/host/paths.ts';
import { loadMatrix } from '../src/matrix/load-matrix.ts';
import { selectChanged } from '../src/matrix/select-changed.ts';
import { selectTier } from '../src/matrix/select-tier.ts';
import { generatePipelines } from '../src/pipeline/generate-pipelines.ts';
import type { Print } from './bench.ts';

const TARGET_MS = 1000;

// A synthetic matrix of exactly 10,000 cells: 5 OS x 4 versions x 5 runtimes x 5 networks x
// 4 layouts x 5 scenarios, with change-impact rules, an override and a quarantined cell.
export function makeLargeMatrix(): string {
  const axis = (name: string, values: string[], varName: string) =>
    `  ${name}:\n    values:\n${values.map((v) => `      "${v}": { vars: { ${varName}: "${v}" } }\n`).join('')}`;
  const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
  const layouts = ['aio', '1cp-1w', '3cp-2w', 'external-etcd'];
  const layoutValues = layouts
    .map(
      (l) =>
        `      ${l}:\n        nodes:\n          - { name: cp1, roles: [control-plane] }\n` +
        `          - { name: w1, roles: [worker], heldBack: true }\n` +
        (l === 'external-etcd' ? '          - { name: etcd1, roles: [etcd] }\n' : ''),
    )
    .join('');
  return [
    'version: 1',
    'pipeline: { jobsPerPipeline: 2000 }',
    'axes:',
    axis('os', ids('os', 5), 'kvmatrix_os'),
    axis('kubernetes', ['1.31', '1.32', '1.33', '1.34'], 'kube_version'),
    axis('runtime', ids('rt', 5), 'container_runtime'),
    axis('network', ids('net', 5), 'network_plugin'),
    `  layout:\n    values:\n${layoutValues}`,
    'steps:',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a matrix `${var}` reference, not a template
    '  deploy: { kind: deploy, playbook: cluster.yml, vars: { v: "${kube_version}" }, checks: [apiserver, nodes-ready] }',
    '  add-worker: { kind: scale-up, playbook: scale.yml, scale: { add: worker }, checks: [nodes-ready] }',
    '  again: { kind: idempotence, playbook: cluster.yml, checks: [apiserver] }',
    '  reset: { kind: reset, playbook: reset.yml, checks: [] }',
    '  kubelet: { kind: parameter-change, playbook: node.yml, vars: { kubelet_max_pods: 150 }, checks: [nodes-ready] }',
    'scenarios:',
    '  deploy: { steps: [deploy] }',
    '  scale-worker: { steps: [deploy, add-worker] }',
    '  idempotence: { steps: [deploy, again] }',
    '  reset: { steps: [deploy, reset, deploy] }',
    '  parameter-change: { steps: [deploy, kubelet] }',
    'tiers:',
    '  pr: { strategy: pairwise }',
    '  nightly: { strategy: product, changeImpact: false }',
    'overrides:',
    '  - { match: { layout: external-etcd }, timeoutMinutes: 90 }',
    'quarantine:',
    '  - { cell: os1-1.34-rt1-net1-aio-deploy, issue: "https://gitlab.example.com/k/-/issues/1" }',
    'changeImpact:',
    '  ignore: ["**/*.md"]',
    '  rules:',
    '    - { paths: ["playbooks/roles/rt1/**"], select: { runtime: rt1 } }',
    '    - { paths: ["playbooks/roles/etcd/**"], roles: [etcd] }',
    '    - { paths: ["playbooks/**"] }',
    '',
  ].join('\n');
}

// Wall time, and CPU time of this process (which other work on a shared machine barely moves).
function time<T>(fn: () => T): { value: T; ms: number; cpuMs: number } {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const value = fn();
  const used = process.cpuUsage(cpu);
  return { value, ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
}

function pipeline(text: string) {
  const load = time(() => loadMatrix(text, 'large.yaml'));
  const matrix = load.value;
  const select = time(() => {
    const pr = selectTier(matrix, 'pr');
    const nightly = selectTier(matrix, 'nightly');
    const changed = selectChanged(matrix, pr.tier, pr.cells, [
      'playbooks/roles/rt1/tasks/main.yml',
      'README.md',
    ]);
    return { pr, nightly, changed };
  });
  const render = time(() => {
    const nightly = generatePipelines(matrix, { tierId: 'nightly' });
    const pr = generatePipelines(matrix, { tierId: 'pr', changedFiles: ['playbooks/roles/etcd/x.yml'] });
    return (
      nightly.files.reduce((n, f) => n + f.content.length, 0) +
      pr.files.reduce((n, f) => n + f.content.length, 0)
    );
  });
  return {
    matrix,
    load,
    select,
    render,
    total: load.ms + select.ms + render.ms,
    totalCpu: load.cpuMs + select.cpuMs + render.cpuMs,
  };
}

// Prints the time to load, expand, select and render a 10,000-cell matrix (cold, then the median
// of five warm runs) and the pairwise reduction of the shipped matrix.
export function benchMatrix(print: Print): void {
  const text = makeLargeMatrix();
  const cold = pipeline(text);
  const { matrix, select } = cold;
  print(
    `10,000-cell matrix: ${matrix.cells.length} cells, pr (pairwise) ${select.value.pr.cells.length} cells`,
  );
  const line = (label: string, run: ReturnType<typeof pipeline>) =>
    `${label}: load+expand+resolve ${run.load.ms.toFixed(0)} ms, select ${run.select.ms.toFixed(0)} ms, ` +
    `render ${run.render.ms.toFixed(0)} ms (${(run.render.value / 1024).toFixed(0)} KiB of YAML), ` +
    `total ${run.total.toFixed(0)} ms wall, ${run.totalCpu.toFixed(0)} ms CPU`;
  print(line('cold', cold));
  const warm = Array.from({ length: 5 }, () => pipeline(text)).sort((a, b) => a.total - b.total);
  print(line('warm (median of 5)', warm[2] as ReturnType<typeof pipeline>));
  const load = loadavg()[0]?.toFixed(1);
  print(
    `target < ${TARGET_MS} ms (cold): wall ${cold.total < TARGET_MS ? 'met' : 'MISSED'}, ` +
      `CPU ${cold.totalCpu < TARGET_MS ? 'met' : 'MISSED'} (load average ${load} on ${cpus().length} CPUs)`,
  );

  const file = path.join(repoRoot, 'matrix', 'matrix.yaml');
  const shipped = loadMatrix(readFileSync(file, 'utf8'), 'matrix/matrix.yaml');
  for (const tier of shipped.definition.tiers.filter((t) => t.strategy === 'pairwise')) {
    const { cells, productCount } = selectTier(shipped, tier.id);
    print(
      `shipped matrix, tier ${tier.id}: ${cells.length} pairwise cells cover every pair of ${productCount} ` +
        `(${(productCount / cells.length).toFixed(1)}x fewer, ${((cells.length / productCount) * 100).toFixed(1)}% of the product)`,
    );
  }
  const largePr = select.value.pr;
  print(
    `10,000-cell matrix, tier pr: ${largePr.cells.length} pairwise cells (${(largePr.productCount / largePr.cells.length).toFixed(0)}x fewer)`,
  );
}
