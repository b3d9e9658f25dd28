import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The layer rules of harness/src and operator/src, read from the import graph of the source (test
// files and `test/` helpers are left out: a test may reach across layers to exercise them). The
// same rules are written down in harness/README.md ("Layers"). A folder is a top-level folder of
// harness/src (providers/ with its sub-folders is one) or of operator/src.

const repo = path.resolve(import.meta.dirname, '../..');
const roots = ['harness/src', 'operator/src'];

// The core: pure data in, data out. It imports the contracts and itself, never an I/O layer.
const CORE = ['matrix', 'pipeline'];
// The core's declared edges, the only files of the core that read anything: the matrix file, and
// the playbooks and tracked files (through git/) the matrix is checked against. Everything else
// of the core takes text and gives data.
const CORE_EDGES = new Set(['harness/src/matrix/read-matrix.ts', 'harness/src/matrix/playbook-contract.ts']);
const CORE_EDGE_LAYERS = ['git'];
const NODE_IO = /^(node:)?(fs|fs\/promises|child_process|net|http|https|dgram)$|^execa$/;
// The runner: the lifecycle and the scenario.
const RUNNER = ['run', 'scenario'];

interface Rule {
  name: string;
  // Which files the rule is about (by folder), and the folders they must not import.
  from: (folder: string) => boolean;
  forbidden: (target: string, file: string) => boolean;
}

const harness = (f: string) => `harness/${f}`;
const isHarness = (folder: string) => folder.startsWith('harness/');

const RULES: Rule[] = [
  {
    name: 'contracts/ imports nothing outside contracts/ (the operator image carries it alone)',
    from: (f) => f === harness('contracts'),
    forbidden: (t) => t !== harness('contracts'),
  },
  {
    name: 'the core (matrix/, pipeline/) imports only contracts/ and the core (its edges also git/)',
    from: (f) => CORE.map(harness).includes(f),
    forbidden: (t, file) =>
      ![...CORE, 'contracts', ...(CORE_EDGES.has(file) ? CORE_EDGE_LAYERS : [])].map(harness).includes(t),
  },
  {
    name: 'host/ (SSH, ports, processes, progress, paths, locks, labels) imports only contracts/',
    from: (f) => f === harness('host'),
    forbidden: (t) => t !== harness('contracts'),
  },
  {
    name: 'providers import no matrix, runner, checks, operator cell, gate, report or CLI',
    from: (f) => f === harness('providers'),
    forbidden: (t) =>
      ['matrix', 'pipeline', ...RUNNER, 'checks', 'operator-cell', 'gate', 'report', 'cli']
        .map(harness)
        .includes(t),
  },
  {
    name: 'reports read records, not the runner (nor providers, checks, the operator cell or the gate)',
    from: (f) => f === harness('report'),
    forbidden: (t) =>
      [...RUNNER, 'providers', 'checks', 'operator-cell', 'gate', 'cli'].map(harness).includes(t),
  },
  {
    name: 'the runner (run/, scenario/) writes records: it imports no report, gate or CLI',
    from: (f) => RUNNER.map(harness).includes(f),
    forbidden: (t) => ['report', 'gate', 'cli'].map(harness).includes(t),
  },
  {
    name: 'the scenario knows its executors only by name: scenario/ imports no operator cell or run/',
    from: (f) => f === harness('scenario'),
    forbidden: (t) => ['operator-cell', 'run'].map(harness).includes(t),
  },
  {
    name: 'checks/ and operator-cell/ import no runner lifecycle, gate, report or CLI',
    from: (f) => [harness('checks'), harness('operator-cell')].includes(f),
    forbidden: (t) => ['run', 'gate', 'report', 'cli'].map(harness).includes(t),
  },
  {
    name: 'nothing but the CLI imports the CLI',
    from: (f) => f !== harness('cli'),
    forbidden: (t) => t === harness('cli'),
  },
  {
    name: 'the operator imports from the harness only its contracts/',
    from: (f) => !isHarness(f),
    forbidden: (t) => isHarness(t) && t !== harness('contracts'),
  },
];

interface Edge {
  file: string;
  target: string;
  from: string;
  to: string;
}

function isTestFile(file: string): boolean {
  return /\.test\.ts$/.test(file) || file.split('/').includes('test') || file.endsWith('test-helpers.ts');
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(repo, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourceFiles(rel));
    else if (rel.endsWith('.ts') && !isTestFile(rel)) out.push(rel);
  }
  return out;
}

// harness/src/run/run-cell.ts -> harness/run; operator/src/main.ts -> operator/.; outside -> undefined
function folderOf(file: string): string | undefined {
  for (const root of roots) {
    if (!file.startsWith(`${root}/`)) continue;
    const parts = file.slice(root.length + 1).split('/');
    return `${root.split('/')[0]}/${parts.length > 1 ? parts[0] : '.'}`;
  }
  return undefined;
}

const importPattern = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

function specifiersOf(source: string): string[] {
  return [...source.matchAll(importPattern)].map((m) => m[1] ?? m[2] ?? '');
}

function importGraph(): { edges: Edge[]; nodeIo: Array<{ file: string; module: string }> } {
  const edges: Edge[] = [];
  const nodeIo: Array<{ file: string; module: string }> = [];
  for (const file of roots.flatMap(sourceFiles)) {
    const from = folderOf(file);
    if (!from) continue;
    for (const spec of specifiersOf(readFileSync(path.join(repo, file), 'utf8'))) {
      if (!spec.startsWith('.')) {
        nodeIo.push({ file, module: spec });
        continue;
      }
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
      const to = folderOf(target);
      if (to && to !== from) edges.push({ file, target, from, to });
    }
  }
  return { edges, nodeIo };
}

// Folder-level cycles, each as the list of folders around it (Tarjan's strongly connected parts).
function folderCycles(edges: Edge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) next.set(e.from, (next.get(e.from) ?? new Set()).add(e.to));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) === index.get(v)) {
      const part: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w) {
          onStack.delete(w);
          part.push(w);
        }
      } while (w && w !== v);
      if (part.length > 1) cycles.push(part.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

function describeEdges(edges: Edge[]): string[] {
  return edges.map((e) => `${e.file} imports ${e.target}`);
}

describe('the layers of harness/src and operator/src', () => {
  const { edges, nodeIo } = importGraph();

  it('reads an import graph that covers the tree', () => {
    const folders = new Set(edges.flatMap((e) => [e.from, e.to]));
    for (const f of ['contracts', 'host', 'matrix', 'providers', 'run', 'scenario', 'report', 'cli'])
      expect(folders).toContain(harness(f));
    expect(folders).toContain('operator/controllers');
  });

  for (const rule of RULES) {
    it(rule.name, () => {
      const broken = edges.filter((e) => rule.from(e.from) && rule.forbidden(e.to, e.file));
      expect(describeEdges(broken), rule.name).toEqual([]);
    });
  }

  it('the core touches no file, process or socket (but its declared edges read the matrix and playbooks)', () => {
    const broken = nodeIo.filter(
      (i) => CORE.some((c) => i.file.startsWith(`harness/src/${c}/`)) && NODE_IO.test(i.module),
    );
    expect(broken.filter((i) => !CORE_EDGES.has(i.file)).map((i) => `${i.file} imports ${i.module}`)).toEqual(
      [],
    );
  });

  it('has no import cycles between folders', () => {
    expect(folderCycles(edges)).toEqual([]);
  });

  it('finds a cycle and a broken rule when there is one (the checker itself)', () => {
    const fake: Edge[] = [
      {
        file: 'harness/src/run/a.ts',
        target: 'harness/src/report/b.ts',
        from: 'harness/run',
        to: 'harness/report',
      },
      {
        file: 'harness/src/report/b.ts',
        target: 'harness/src/run/a.ts',
        from: 'harness/report',
        to: 'harness/run',
      },
    ];
    expect(folderCycles(fake)).toEqual([['harness/report', 'harness/run']]);
    const runnerRule = RULES.find((r) => r.name.startsWith('the runner'));
    expect(fake.filter((e) => runnerRule?.from(e.from) && runnerRule.forbidden(e.to, e.file))).toHaveLength(
      1,
    );
  });
});
