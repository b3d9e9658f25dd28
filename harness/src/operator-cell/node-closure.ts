import { access, readFile } from 'node:fs/promises';
import path from 'node:path';

// The package folders (relative to the repository root) that `roots` need at run time: each
// package's dependencies and present optional dependencies, resolved the way Node resolves them
// (the nearest node_modules up from the requiring package). Used to put only the operator's
// libraries into its image, not the whole development tree.
export async function listPackageClosure(repo: string, roots: string[]): Promise<string[]> {
  const found = new Set<string>();
  const queue: Array<{ name: string; from: string }> = roots.map((name) => ({ name, from: '' }));
  while (queue.length) {
    const next = queue.shift();
    if (!next) break;
    const dir = await resolvePackage(repo, next.name, next.from);
    if (!dir) {
      if (next.from === '') throw new Error(`package ${next.name} is not installed (run npm ci)`);
      continue; // an optional dependency for another platform
    }
    if (found.has(dir)) continue;
    found.add(dir);
    const manifest = JSON.parse(await readFile(path.join(repo, dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies }))
      queue.push({ name: dep, from: dir });
  }
  return [...found].sort();
}

async function resolvePackage(repo: string, name: string, from: string): Promise<string | undefined> {
  let dir = from;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name);
    if (await isFile(path.join(repo, candidate, 'package.json'))) return candidate;
    if (dir === '') return undefined;
    const up = dir.lastIndexOf('node_modules');
    dir = up <= 0 ? '' : dir.slice(0, up - 1);
  }
}

async function isFile(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
