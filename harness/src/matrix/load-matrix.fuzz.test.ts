import { describe, expect, it } from 'vitest';
import { MatrixError } from '../contracts/errors.ts';
import { generatePipelines } from '../pipeline/generate-pipelines.ts';
import { loadMatrix } from './load-matrix.ts';
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
