import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { KvError } from '../contracts/errors.ts';
import { repoRoot } from '../host/paths.ts';
import { type LoadedMatrix, loadMatrix } from './load-matrix.ts';

// The shipped matrix; KVMATRIX_MATRIX or --matrix point elsewhere.
export function defaultMatrixFile(): string {
  return process.env.KVMATRIX_MATRIX ?? path.join(repoRoot, 'matrix', 'matrix.yaml');
}

// The I/O edge of the matrix core: reads the file, then hands the text to the pure loader.
// Errors name the file as the user gave it (relative to the working directory when inside it).
export async function readMatrix(file: string = defaultMatrixFile()): Promise<LoadedMatrix> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new KvError(
      'IO',
      `cannot read the matrix file ${file}: ${(cause as NodeJS.ErrnoException).code ?? cause}`,
      {
        cause,
        hint: 'pass the file with --matrix <file> or set KVMATRIX_MATRIX',
      },
    );
  }
  return loadMatrix(text, displayPath(file));
}

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
