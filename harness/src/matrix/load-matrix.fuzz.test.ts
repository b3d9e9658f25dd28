import { describe, expect, it } from 'vitest';
import { MatrixError } from '../contracts/errors.ts';
import { generatePipelines } from '../pipeline/generate-pipelines.ts';
import { loadMatrix } from './load-matrix.ts';
import { resolveCell } from './resolve-cell.ts';
import { selectTier } from './select-tier.ts';
import { readRepoFile, shippedMatrixFile, smallMatrixFile } from './test-helpers.ts';

// Mutated matrix files must load or fail with a MatrixError that names the file (and a line
// inside it when it names one), never any other exception. Deterministic: the seed is fixed.
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const junk = [
  ':',
  '- ',
  '[',
  ']',
  '{',
  '}',
  '"',
  "'",
  '&a ',
  '*a',
  '!!str ',
  '\t',
  '#',
  '$' + '{x}',
  'null',
  '~',
  '1e3',
  '  ',
  '? ',
  // Hostile fragments (issue 18): self-aliases, prototype names, YAML 1.1 line breaks, deep
  // nesting, unknown aliases, control characters.
  '&s [*s]',
  '__proto__',
  'constructor',
  'toString',
  '\u0085',
  '\u2028',
  '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[',
  '*nowhere',
  '\u001b[2J',
];

function mutate(text: string, random: () => number): string {
  const lines = text.split('\n');
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const at = Math.floor(random() * lines.length);
  const words = text.match(/[A-Za-z0-9_.-]+/g) ?? [];
  switch (Math.floor(random() * 8)) {
    case 0:
      lines.splice(at, 1);
      break;
    case 1:
      lines.splice(at, 0, lines[at] ?? '');
      break;
    case 2: {
      const other = Math.floor(random() * lines.length);
      [lines[at], lines[other]] = [lines[other] ?? '', lines[at] ?? ''];
      break;
    }
    case 3: {
      const line = lines[at] ?? '';
      const word = line.match(/[A-Za-z0-9_.-]+/g);
      if (word) lines[at] = line.replace(pick(word), pick(words));
      break;
    }
    case 4: {
      const line = lines[at] ?? '';
      const col = Math.floor(random() * (line.length + 1));
      lines[at] = line.slice(0, col) + pick(junk) + line.slice(col);
      break;
    }
    case 5:
      lines[at] = random() < 0.5 ? (lines[at] ?? '').replace(/^ {2}/, '') : `  ${lines[at] ?? ''}`;
      break;
    case 6:
      return text.slice(0, Math.floor(random() * text.length));
    default: {
      const line = lines[at] ?? '';
      lines[at] = line.replace(
        /: .*$/,
        `: ${pick(['3', 'null', '[]', '{}', 'true', '"x"', '[a, b]', '-1'])}`,
      );
    }
  }
  return lines.join('\n');
}

function check(text: string, file: string, render: boolean): 'loaded' | 'rejected' {
  try {
    const matrix = loadMatrix(text, file);
    for (const tier of matrix.definition.tiers) {
      if (render) generatePipelines(matrix, { tierId: tier.id });
      else selectTier(matrix, tier.id);
    }
    return 'loaded';
  } catch (error) {
    if (!(error instanceof MatrixError))
      throw new Error(`not a MatrixError for a mutation:\n${text}`, { cause: error });
    expect(error.message.startsWith(`${file}`)).toBe(true);
    // The loader's safety net for unforeseen exceptions must not be what caught it.
    expect(error.message, text).not.toContain('the matrix cannot be loaded');
    const lineCount = text.split('\n').length;
    if (error.location.line !== undefined) {
      expect(error.location.line).toBeGreaterThanOrEqual(1);
      expect(error.location.line).toBeLessThanOrEqual(lineCount + 1);
    }
    return 'rejected';
  }
}

// Hostile mutations with a time budget: as many as fit in 15 s (at least 50), each bounded to
// 2 s, with properties every outcome must keep.
function hostileMutation(base: string, random: () => number): string {
  let text = base;
  for (let n = 1 + Math.floor(random() * 4); n > 0; n--) text = mutate(text, random);
  const lines = text.split('\n');
  const at = Math.floor(random() * lines.length);
  const fragments = [
    `    x: ${'['.repeat(80)}${']'.repeat(80)}`,
    '    a: &a [x, x, x, x, x, x, x, x, x, x]\n    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n    c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
    '    self: &me { again: *me }',
    '    constructor: { kind: deploy, playbook: x.yml, checks: [] }',
    `    ${'k'.repeat(5000)}: 1`,
  ];
  lines.splice(at, 0, fragments[Math.floor(random() * fragments.length)] as string);
  return lines.join('\n');
}

describe('hostile matrix files (seeded, time-bounded)', () => {
  it('each load or fail with a located MatrixError without hanging, and loading keeps its properties', () => {
    const random = mulberry32(18);
    const base = readRepoFile(smallMatrixFile);
    const started = performance.now();
    const outcomes = { loaded: 0, rejected: 0 };
    let runs = 0;
    while (runs < 50 || (performance.now() - started < 15_000 && runs < 400)) {
      const text = hostileMutation(base, random);
      const t0 = performance.now();
      const outcome = check(text, 'hostile.yaml', false);
      // A guard against hangs (not a speed target: a loaded 2-core CI machine took over 2 s once).
      expect(performance.now() - t0, text.slice(0, 200)).toBeLessThan(30_000);
      outcomes[outcome]++;
      if (outcome === 'loaded') {
        // Deterministic, unique names, and no prototype touched.
        const a = loadMatrix(text, 'hostile.yaml').cells.map((c) => c.name);
        const b = loadMatrix(text, 'hostile.yaml').cells.map((c) => c.name);
        expect(a).toEqual(b);
        expect(new Set(a).size).toBe(a.length);
      }
      expect(Object.keys(Object.prototype)).toEqual([]);
      runs++;
    }
    expect(outcomes.rejected).toBeGreaterThan(10);
  });
});

describe('mutated matrix files', () => {
  it('each load or fail with a located MatrixError (400 mutations of the fixture)', () => {
    const random = mulberry32(20251125);
    const base = readRepoFile(smallMatrixFile);
    const outcomes = { loaded: 0, rejected: 0 };
    for (let i = 0; i < 400; i++) {
      let text = base;
      for (let n = 1 + Math.floor(random() * 3); n > 0; n--) text = mutate(text, random);
      outcomes[check(text, 'fuzz.yaml', true)]++;
    }
    // Both kinds occur: the mutations are neither all harmless nor all fatal.
    expect(outcomes.loaded).toBeGreaterThan(20);
    expect(outcomes.rejected).toBeGreaterThan(100);
  });

  it('each load or fail with a located MatrixError (100 mutations of the shipped matrix)', () => {
    const random = mulberry32(7);
    const base = readRepoFile(shippedMatrixFile);
    for (let i = 0; i < 100; i++) check(mutate(base, random), 'matrix.yaml', false);
  });
});

// Property tests over generated valid matrices: the product is what the axes multiply to, names
// are unique and stable, every cell resolves, and the cell cap refuses exactly what exceeds it.
function generatedMatrix(random: () => number, maxCells: number): { text: string; product: number } {
  const extra = Math.floor(random() * 4);
  const sizes = [
    1 + Math.floor(random() * 3),
    ...Array.from({ length: extra }, () => 1 + Math.floor(random() * 6)),
  ];
  const axis = (name: string, n: number) =>
    `  ${name}:\n    values:\n${Array.from({ length: n }, (_, i) => `      ${name}v${i}: { vars: { ${name}_var: ${i} } }`).join('\n')}`;
  const axes = sizes.map((n, i) => axis(i === 0 ? 'os' : `ax${i}`, n));
  const text = [
    'version: 1',
    `limits: { maxCells: ${maxCells} }`,
    'axes:',
    ...axes,
    '  layout:\n    values:\n      aio: { nodes: [{ name: cp1, roles: [control-plane, worker] }] }',
    'steps:\n  deploy: { kind: deploy, playbook: cluster.yml, checks: [apiserver] }',
    'scenarios:\n  deploy: { steps: [deploy] }\n  again: { steps: [deploy, deploy] }',
    'tiers:\n  all: { strategy: product }',
  ].join('\n');
  return { text, product: sizes.reduce((a, b) => a * b, 1) * 2 };
}

describe('loader properties over generated matrices', () => {
  it('hold for 200 seeded matrices', () => {
    const random = mulberry32(2026);
    for (let i = 0; i < 200; i++) {
      const cap = 1 + Math.floor(random() * 300);
      const { text, product } = generatedMatrix(random, cap);
      if (product > cap) {
        expect(() => loadMatrix(text, 'gen.yaml')).toThrow(
          /more than the limit of \d+ cells \(limits\.maxCells\)/,
        );
        continue;
      }
      const matrix = loadMatrix(text, 'gen.yaml');
      expect(matrix.productSize).toBe(product);
      expect(matrix.cells).toHaveLength(product);
      const names = matrix.cells.map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
      expect(loadMatrix(text, 'gen.yaml').cells.map((c) => c.name)).toEqual(names);
      for (const cell of matrix.cells) expect(resolveCell(matrix, cell).steps.length).toBeGreaterThan(0);
    }
  });
});
