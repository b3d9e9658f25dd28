import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MatrixError } from '../contracts/errors.ts';
import { repoRoot } from '../host/paths.ts';
import { type LoadedMatrix, loadMatrix } from './load-matrix.ts';

// Shared by the matrix tests: the fixture and shipped matrices as text, and a way to get the
// MatrixError a text produces.
export const smallMatrixFile = 'harness/test/fixtures/matrix/small.yaml';
export const shippedMatrixFile = 'matrix/matrix.yaml';

export function readRepoFile(file: string): string {
  return readFileSync(path.join(repoRoot, file), 'utf8');
}

export function loadSmall(edit: (text: string) => string = (t) => t): LoadedMatrix {
  return loadMatrix(edit(readRepoFile(smallMatrixFile)), smallMatrixFile);
}

export function loadError(text: string, file = 'bad.yaml'): MatrixError {
  try {
    loadMatrix(text, file);
  } catch (error) {
    if (error instanceof MatrixError) return error;
    throw error;
  }
  throw new Error('expected the matrix to be rejected, but it loaded');
}

// Replaces exactly one occurrence, so that a test's edit cannot silently miss.
export function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`"${from}" must occur exactly once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}
