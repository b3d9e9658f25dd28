import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KvError } from '../contracts/errors.ts';
import { ensureDirectory } from './ensure-directory.ts';

// Writes rendered files into `outDir` so that a reader never sees a partial file: every file is
// first written in full beside its target under a temporary name, and only when all of them are
// written are they renamed into place (rename is atomic within a file system). On failure the
// temporary files are removed and the folder keeps its previous content.
export async function writeFilesAtomically(
  outDir: string,
  files: ReadonlyArray<{ name: string; content: string }>,
): Promise<string[]> {
  const suffix = `.kvmatrix-tmp-${process.pid}-${Date.now()}`;
  const staged: Array<{ temp: string; target: string }> = [];
  await ensureDirectory(outDir, 'output folder');
  try {
    for (const file of files) {
      const target = path.join(outDir, file.name);
      const temp = `${target}${suffix}`;
      staged.push({ temp, target });
      await writeFile(temp, file.content, { flag: 'wx' });
    }
    for (const { temp, target } of staged) await rename(temp, target);
    return staged.map((s) => s.target);
  } catch (cause) {
    await Promise.all(staged.map((s) => rm(s.temp, { force: true })));
    throw new KvError(
      'IO',
      `cannot write into ${outDir}: ${(cause as NodeJS.ErrnoException).code ?? cause}`,
      {
        cause,
        hint: 'check that the folder is writable and the disk not full',
      },
    );
  }
}
