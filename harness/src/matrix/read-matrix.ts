import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KvError } from '../contracts/errors.ts';
import { listTrackedFiles } from '../git/changed-files.ts';
import { checkChangeImpactGlobs, checkPlaybookContract } from './check-contract.ts';
import { type LoadedMatrix, loadMatrix } from './load-matrix.ts';
import { readPlaybookContract } from './playbook-contract.ts';

// The shipped matrix (found from this file, as validate-schema finds the schema, so the core needs
// no host layer); KVMATRIX_MATRIX or --matrix point elsewhere.
const shippedMatrix = fileURLToPath(new URL('../../../matrix/matrix.yaml', import.meta.url));

export function defaultMatrixFile(): string {
  return process.env.KVMATRIX_MATRIX ?? shippedMatrix;
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
  const matrix = loadMatrix(text, displayPath(file));
  await checkAgainstDeployment(matrix, file);
  return matrix;
}

// After the file itself is valid: a matrix that names its deployment code (`deployment:`) may
// promise only what that code accepts, and its change-impact globs must match tracked files.
async function checkAgainstDeployment(matrix: LoadedMatrix, file: string): Promise<void> {
  const deployment = matrix.definition.deployment;
  if (!deployment) return;
  const playbooksDir = path.resolve(path.dirname(file), deployment.playbooks);
  const tracked = await listTrackedFiles(path.dirname(path.resolve(file)));
  const shownRoot = tracked?.top ?? path.dirname(path.resolve(file));
  checkPlaybookContract(matrix, await readPlaybookContract(playbooksDir, shownRoot));
  if (tracked) checkChangeImpactGlobs(matrix, tracked.files);
}

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
