import { open } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KvError, MatrixError } from '../contracts/errors.ts';
import { listTrackedFiles } from '../git/changed-files.ts';
import { checkChangeImpactGlobs, checkPlaybookContract } from './check-contract.ts';
import { MATRIX_LIMITS } from './input-limits.ts';
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
    text = await readBounded(file, MATRIX_LIMITS.maxBytes);
  } catch (cause) {
    if (cause instanceof KvError) throw cause;
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

// Reads at most `max` bytes: a larger regular file is refused from its size, and a device or
// pipe that keeps giving (/dev/zero) is refused after `max` + 1 bytes, never read whole.
async function readBounded(file: string, max: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const info = await handle.stat();
    const tooLarge = (size: string) =>
      new MatrixError(
        { file: displayPath(file) },
        `the file has ${size} bytes, more than the limit of ${max}`,
        {
          hint: 'a matrix file is tens of KB; is this the right file?',
        },
      );
    if (info.isDirectory()) {
      throw new KvError('IO', `cannot read the matrix file ${file}: it is a folder`, {
        hint: 'pass the file with --matrix <file> or set KVMATRIX_MATRIX',
      });
    }
    if (info.isFile() && info.size > max) throw tooLarge(String(info.size));
    const buffer = Buffer.alloc(max + 1);
    let total = 0;
    while (total <= max) {
      const { bytesRead } = await handle.read(buffer, total, buffer.length - total, null);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
    if (total > max) throw tooLarge(`more than ${max}`);
    return buffer.subarray(0, total).toString('utf8');
  } finally {
    await handle.close();
  }
}

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
