import { readRepoFile, replaceOnce, smallMatrixFile } from '../test-helpers.ts';

// Matrix files a careless or hostile author could write, built from the small fixture: each is
// one class of issue 18's inputs that once hung the loader, exhausted its memory or crashed it
// without naming the file. Shared by the regression tests and `npm run bench -- hardening`,
// which runs each through the real CLI with a time and memory bound.
export interface HostileInput {
  id: string;
  what: string;
  text: () => string;
  // What `kvmatrix matrix list` is run with (default: `matrix list --tier pr`).
  argv?: string[];
  // A file a loader must refuse (exit 2), or one it must load correctly (exit 0, and `shows`
  // appears in what it prints).
  expect: 'refused' | 'loaded';
  shows?: string;
}

const base = () => readRepoFile(smallMatrixFile);

// `n` variables in one mapping (the vars of an axis value), one per line.
export function manyKeys(n: number): string {
  const lines = Array.from({ length: n }, (_, i) => `          v${i}: ${i}`).join('\n');
  return replaceOnce(
    base(),
    '      debian13: { vars: { kvmatrix_os: debian13 } }',
    `      debian13:\n        vars:\n          kvmatrix_os: debian13\n${lines}`,
  );
}

// A valid matrix padded with a comment of `bytes` bytes.
export function hugeFile(bytes: number): string {
  const text = base();
  const line = `# ${'x'.repeat(98)}\n`;
  return text + line.repeat(Math.ceil(Math.max(0, bytes - text.length) / line.length));
}

// The "billion laughs": each anchor repeats the one before ten times.
export function aliasBomb(levels = 9): string {
  const defs = ['          l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i <= levels; i++)
    defs.push(
      `          l${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return replaceOnce(
    base(),
    '      debian13: { vars: { kvmatrix_os: debian13 } }',
    `      debian13:\n        vars:\n          kvmatrix_os: debian13\n${defs.join('\n')}`,
  );
}

// A value nested `depth` levels deep, in flow style ([[[...]]]) or block style (a: b: c: ...).
export function deepNesting(depth: number, style: 'flow' | 'block' = 'flow'): string {
  const value =
    style === 'flow'
      ? ` ${'['.repeat(depth)}${']'.repeat(depth)}`
      : `\n${Array.from({ length: depth }, (_, i) => `${' '.repeat(12 + i)}k${i}:`).join('\n')} x`;
  return replaceOnce(
    base(),
    '{ vars: { kvmatrix_os: debian13 } }',
    `\n        vars:\n          deep:${value}`,
  );
}

// `axes` extra axes of `values` values each: the product grows by values^axes.
export function manyCells(axes: number, values: number): string {
  const extra = Array.from({ length: axes }, (_, a) => {
    // The first value is left out of names, so the fixture's include stays valid.
    const list = Array.from(
      { length: values },
      (_, v) => `      x${a}v${v}: {${v === 0 ? ' omitFromName: true ' : ''}}`,
    ).join('\n');
    return `  extra${a}:\n    values:\n${list}`;
  }).join('\n');
  return replaceOnce(base(), '  layout:\n', `${extra}\n  layout:\n`);
}

// Step and variable names that are also the names of Object.prototype's members.
export function prototypeNames(): string {
  let text = base();
  text = replaceOnce(
    text,
    '  add-worker:\n',
    '  constructor:\n    kind: deploy\n    playbook: cluster.yml\n    checks: [apiserver]\n  add-worker:\n',
  );
  text = replaceOnce(text, '    steps: [deploy]\n', '    steps: [deploy, constructor]\n');
  return text;
}

// A scenario naming a step `toString` that the step library does not define.
export function undefinedPrototypeStep(): string {
  return replaceOnce(base(), '    steps: [deploy]\n', '    steps: [deploy, toString]\n');
}

// A step variable referring to `${constructor}`, which no cell defines.
const ref = (name: string) => `$${'{'}${name}}`;
export function prototypeVariableReference(): string {
  return replaceOnce(
    base(),
    `vars: { kube_version: "${ref('kube_version_previous')}" }`,
    `vars: { kube_version: "${ref('constructor')}" }`,
  );
}

// A cell variable named `__proto__` (it must stay a variable, not replace the prototype).
export function protoVariable(): string {
  return replaceOnce(
    base(),
    '{ vars: { kvmatrix_os: debian13 } }',
    '{ vars: { kvmatrix_os: debian13, __proto__: { polluted: yes } } }',
  );
}

// An alias inside the node it refers to: a circular structure.
export function selfAlias(): string {
  return replaceOnce(
    base(),
    '{ vars: { kvmatrix_os: debian13 } }',
    '{ vars: &v { kvmatrix_os: debian13, self: *v } }',
  );
}

export const hostileInputs: HostileInput[] = [
  { id: 'keys-22k', what: '22,000 keys in one mapping', text: () => manyKeys(22_000), expect: 'refused' },
  { id: 'keys-44k', what: '44,000 keys in one mapping', text: () => manyKeys(44_000), expect: 'refused' },
  { id: 'size-50mb', what: 'a 50 MB file', text: () => hugeFile(50 * 1024 * 1024), expect: 'refused' },
  { id: 'alias-bomb', what: 'billion laughs (10^10 nodes)', text: () => aliasBomb(), expect: 'refused' },
  { id: 'deep-flow', what: '100,000 nested [ ]', text: () => deepNesting(100_000), expect: 'refused' },
  {
    id: 'deep-block',
    what: '1,000 nested block mappings',
    text: () => deepNesting(1_000, 'block'),
    expect: 'refused',
  },
  { id: 'cells-3x30', what: 'three extra 30-value axes', text: () => manyCells(3, 30), expect: 'refused' },
  {
    id: 'cells-1x2000',
    what: 'one extra 2,000-value axis',
    text: () => manyCells(1, 2000),
    expect: 'refused',
  },
  {
    id: 'step-constructor',
    what: 'a step named constructor',
    text: prototypeNames,
    argv: ['matrix', 'show', 'debian12-1.34-containerd-bridge-aio-deploy'],
    expect: 'loaded',
    shows: '2. constructor',
  },
  {
    id: 'step-toString',
    what: 'a scenario using the undefined step toString',
    text: undefinedPrototypeStep,
    expect: 'refused',
  },
  {
    id: 'var-constructor',
    what: `a step var ${ref('constructor')}`,
    text: prototypeVariableReference,
    expect: 'refused',
  },
  {
    id: 'var-__proto__',
    what: 'a cell variable __proto__',
    text: protoVariable,
    argv: ['matrix', 'show', 'debian13-1.34-crio-bridge-aio-deploy', '--json'],
    expect: 'loaded',
    shows: '"__proto__": {',
  },
  {
    id: 'self-alias',
    what: 'an alias inside its own anchor',
    text: selfAlias,
    argv: ['matrix', 'show', 'debian13-1.34-crio-bridge-aio-deploy'],
    expect: 'refused',
  },
];
