import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listPackageClosure } from './node-closure.ts';

let repo: string;

async function pkg(dir: string, deps: Record<string, string> = {}, optional: Record<string, string> = {}) {
  await mkdir(path.join(repo, dir), { recursive: true });
  await writeFile(
    path.join(repo, dir, 'package.json'),
    JSON.stringify({ dependencies: deps, optionalDependencies: optional }),
  );
}

beforeAll(async () => {
  repo = await mkdtemp(path.join(tmpdir(), 'kvm-node-closure-'));
  await pkg('node_modules/@scope/a', { b: '1', c: '1' });
  await pkg('node_modules/@scope/a/node_modules/b', { c: '1' }); // a's own copy of b
  await pkg('node_modules/b', { unused: '1' }); // the hoisted b, not needed by a
  await pkg('node_modules/c', {}, { 'only-on-mac': '1' });
  await pkg('node_modules/d');
  await pkg('node_modules/unused');
});

afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
});

describe('listPackageClosure', () => {
  it('resolves dependencies from the nearest node_modules up, as Node does, and skips missing optional ones', async () => {
    expect(await listPackageClosure(repo, ['@scope/a', 'd'])).toEqual([
      'node_modules/@scope/a',
      'node_modules/@scope/a/node_modules/b',
      'node_modules/c',
      'node_modules/d',
    ]);
  });

  it('says which root package is not installed', async () => {
    await expect(listPackageClosure(repo, ['missing'])).rejects.toThrow(/missing is not installed/);
  });
});
