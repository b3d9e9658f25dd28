import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ResultRecord } from '../../contracts/result-record.ts';
import { renderCellMarkdown } from '../cell-summary.ts';
import { renderJunit } from '../render-junit.ts';

// The reports of one cell beside its logs: result.json (the record itself), junit.xml and
// summary.md, all derived from the record. Called by `kvmatrix run` and `kvmatrix gate` with the
// record the runner returned.
export async function writeCellReports(dir: string, record: ResultRecord): Promise<void> {
  record.artifacts.push('result.json', 'junit.xml', 'summary.md');
  await writeFile(path.join(dir, 'result.json'), `${JSON.stringify(record, null, 2)}\n`);
  await writeFile(path.join(dir, 'junit.xml'), renderJunit(record));
  await writeFile(path.join(dir, 'summary.md'), renderCellMarkdown(record));
}
