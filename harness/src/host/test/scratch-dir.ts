import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';

// A scratch directory for one test file (made before its tests, removed after), and the
// environment variables pointed into it meanwhile (e.g. KVMATRIX_STATE_DIR: '.' for the dir
// itself, 'state' for a subdirectory). Returns a getter: the path exists only once tests run.
export function useScratchDir(prefix: string, env: Record<string, string> = {}): () => string {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), prefix));
    for (const [name, sub] of Object.entries(env)) process.env[name] = path.join(dir, sub);
  });
  afterAll(async () => {
    for (const name of Object.keys(env)) delete process.env[name];
    await rm(dir, { recursive: true, force: true });
  });
  return () => dir;
}
