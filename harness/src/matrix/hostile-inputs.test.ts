import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MatrixError } from '../contracts/errors.ts';
import { MATRIX_LIMITS } from './input-limits.ts';
import { loadMatrix } from './load-matrix.ts';
import { readMatrix } from './read-matrix.ts';
import { resolveCellByName } from './resolve-cell.ts';
import {
  aliasBomb,
  deepNesting,
  hugeFile,
  manyCells,
  manyKeys,
  prototypeNames,
  prototypeVariableReference,
  protoVariable,
  selfAlias,
  undefinedPrototypeStep,
} from './test/hostile-inputs.ts';
import { loadError, loadSmall } from './test-helpers.ts';

// Issue 18's hostile matrices, one regression test per class: each is refused with a MatrixError
// naming file, line and the limit (or loaded as written), in bounded time, never a crash.
// A guard against hangs and quadratic time (44,000 keys once took 100 s), not a speed target:
// under a loaded CI machine a 10k-key load can take seconds; `npm run bench` measures speed.
const HANG_MS = 30_000;

function refusedQuickly(text: string, file = 'hostile.yaml'): { error: MatrixError; ms: number } {
  const started = performance.now();
  const error = loadError(text, file);
  return { error, ms: performance.now() - started };
}

describe('a matrix file with too many keys in one mapping', () => {
  it('is refused at the mapping, quickly (44,000 keys once took 100 s: a quadratic duplicate check)', () => {
    const { error, ms } = refusedQuickly(manyKeys(44_000));
    expect(error.message).toMatch(
      /^hostile\.yaml:10:11: this mapping has 44001 keys, more than the limit of 10000$/,
    );
    expect(ms).toBeLessThan(HANG_MS);
  });

  it('loads 9,000 keys in linear time (the duplicate check uses a Set)', () => {
    const started = performance.now();
    expect(() => loadMatrix(manyKeys(9_000), 'keys.yaml')).not.toThrow();
    expect(performance.now() - started).toBeLessThan(HANG_MS);
  });

  it('still names a duplicate key, at the second occurrence', () => {
    const error = loadError('version: 1\nversion: 1\n');
    expect(error.message).toBe('bad.yaml:2:1: the key "version" appears twice in this mapping');
  });
});

describe('a huge matrix file', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kvm-hostile-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is refused from its size before it is read (50 MB were once read whole)', async () => {
    const file = path.join(dir, 'huge.yaml');
    await writeFile(file, hugeFile(50 * 1024 * 1024));
    const before = process.memoryUsage().rss;
    await expect(readMatrix(file)).rejects.toThrow(
      /huge\.yaml: the file has 52428800 bytes, more than the limit of 1048576$/,
    );
    expect(process.memoryUsage().rss - before).toBeLessThan(40 * 1024 * 1024);
  });

  it('is refused from a device that never ends, after the limit', async () => {
    await expect(readMatrix('/dev/zero')).rejects.toThrow(/the file has more than 1048576 bytes/);
  });

  it('is refused as text too (the pure loader checks the length)', () => {
    expect(refusedQuickly(hugeFile(MATRIX_LIMITS.maxBytes + 10)).error.message).toMatch(
      /more than the limit of 1048576$/,
    );
  });
});

describe('aliases', () => {
  it('a billion laughs is refused at the alias that passes the limit, with its line', () => {
    const { error, ms } = refusedQuickly(aliasBomb());
    expect(error.message).toMatch(
      /^hostile\.yaml:14:\d+: aliases repeat more than 10000 nodes in total \(this one, \*l2, 1111\)$/,
    );
    expect(error.hint).toContain('aliases that repeat aliases multiply');
    expect(ms).toBeLessThan(HANG_MS);
  });

  it('an alias inside its own anchor is refused (it crashed `matrix show` with a circular structure)', () => {
    const { error } = refusedQuickly(selfAlias());
    expect(error.message).toBe(
      'hostile.yaml:8:59: the alias *v is inside the node its anchor &v names: the data would contain itself',
    );
  });

  it('an alias to no anchor is refused with its line', () => {
    expect(loadError('version: 1\naxes: *nothing\n').message).toBe(
      'bad.yaml:2:7: the alias *nothing refers to no anchor &nothing defined before it',
    );
  });

  it('ordinary aliases still load', () => {
    const matrix = loadSmall((t) =>
      t
        .replace(
          '      debian13: { vars: { kvmatrix_os: debian13 } }',
          '      debian13: { vars: &d13 { kvmatrix_os: debian13 } }',
        )
        .replace(
          '      bridge: { vars: { network_plugin: bridge } }',
          '      bridge: { vars: { network_plugin: bridge, copy: *d13 } }',
        ),
    );
    const bridge = matrix.definition.axes.find((a) => a.id === 'network')?.values[0];
    expect(bridge?.vars.copy).toEqual({ kvmatrix_os: 'debian13' });
  });
});

describe('deep nesting', () => {
  it.each([
    ['flow', 100_000],
    ['block', 1_000],
  ] as const)(
    '%s nesting of %i levels is refused at the level past 64 (no stack overflow)',
    (style, depth) => {
      const { error, ms } = refusedQuickly(deepNesting(depth, style));
      expect(error.message).toMatch(
        /^hostile\.yaml:\d+:\d+: mappings and lists nest deeper than 64 levels here$/,
      );
      expect(error.message).not.toContain('call stack');
      expect(ms).toBeLessThan(HANG_MS);
    },
  );

  it('50 levels (56 in all) still load', () => {
    expect(() => loadMatrix(deepNesting(50), 'ok.yaml')).not.toThrow();
  });
});

describe('the number of cells', () => {
  it('three extra 30-value axes are refused before expansion (once a V8 heap crash)', () => {
    const { error, ms } = refusedQuickly(manyCells(3, 30));
    expect(error.message).toMatch(
      /^hostile\.yaml:5:3 \(at axes\): the matrix has 3888000 combinations \(2 os x 2 kubernetes x 2 runtime x 2 network x 30 extra0 x 30 extra1 x 30 extra2 x 3 layout x 3 scenarios\), more than the limit of 20000 cells \(limits\.maxCells\)$/,
    );
    expect(error.hint).toContain('limits: { maxCells: N }');
    expect(ms).toBeLessThan(HANG_MS);
  });

  it('limits.maxCells raises the cap on purpose, and its own excess points at it', () => {
    const raised = (n: number, text: string) =>
      text.replace('version: 1\n', `version: 1\nlimits: { maxCells: ${n} }\n`);
    const matrix = loadMatrix(raised(30_000, manyCells(1, 200)), 'raised.yaml');
    expect(matrix.productSize).toBe(28_800);
    const error = loadError(raised(1_000, manyCells(1, 200)));
    expect(error.message).toMatch(
      /^bad\.yaml:4:21 \(at limits\.maxCells\): the matrix has 28800 combinations/,
    );
    expect(loadError(raised(1_000_000, manyCells(1, 2))).message).toMatch(/limits\.maxCells/);
  });
});

describe('names that are members of Object.prototype', () => {
  it('a step named constructor is a step like any other', () => {
    const matrix = loadMatrix(prototypeNames(), 'proto.yaml');
    const cell = resolveCellByName(matrix, 'debian12-1.34-containerd-bridge-aio-deploy');
    expect(cell.steps.map((s) => s.id)).toEqual(['deploy', 'constructor']);
    expect(cell.steps[1]?.checks).toEqual(['apiserver']);
  });

  it('an undefined step toString is an unknown step, not "spec.checks is not iterable"', () => {
    expect(loadError(undefinedPrototypeStep()).message).toMatch(
      /^bad\.yaml:\d+:\d+ \(at scenarios\.deploy\.steps\[1\]\): unknown step "toString"; expected one of:/,
    );
  });

  it(`${'$'}{constructor} is an undefined variable, not the source text of a function`, () => {
    expect(loadError(prototypeVariableReference()).message).toMatch(
      /uses \$\{constructor\}, which cell .* does not define$/,
    );
  });

  it('a variable named __proto__ stays a variable and changes no prototype', () => {
    const matrix = loadMatrix(protoVariable(), 'proto.yaml');
    const cell = resolveCellByName(matrix, 'debian13-1.34-crio-bridge-aio-deploy');
    expect(Object.hasOwn(cell.vars, '__proto__')).toBe(true);
    expect(
      Object.getOwnPropertyDescriptor(JSON.parse(JSON.stringify(cell.vars)), '__proto__')?.value,
    ).toEqual({
      polluted: 'yes',
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(cell.vars)).toBeNull();
  });
});
