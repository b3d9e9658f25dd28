import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_USAGE } from '../contracts/errors.ts';
import { checkPathName, isPathName } from '../host/path-name.ts';
import { cacheDir, stateDir } from '../host/paths.ts';
import { useScratchDir } from '../host/test/scratch-dir.ts';
import { runCli } from './commands/capture-output.ts';

// Names from the command line become folder names under the state folder only once checked:
// `kvmatrix down ../../x` once resolved outside it and removed what it found there.
const scratch = useScratchDir('kvm-names-', { KVMATRIX_STATE_DIR: 'state' });

describe('names used as paths', () => {
  it.each(['../../x', '..', '.', '', 'a/b', '/etc', '-rf', '.hidden', 'a\u0000b', 'x'.repeat(201)])(
    'refuses %j as a path name',
    (name) => {
      expect(isPathName(name)).toBe(false);
      expect(() => stateDir('runs', name)).toThrow(/is not a valid name/);
      expect(() => cacheDir('images', name)).toThrow(/is not a valid name/);
    },
  );

  it('accepts the names kvmatrix makes (cells, run ids, versions)', () => {
    for (const name of [
      'debian12-1.34-containerd-bridge-aio-deploy',
      'kvm-3f9a2c',
      'v1.34.4',
      'etcd1',
      'a_b+c@d=e,f',
    ]) {
      expect(checkPathName(name)).toBe(name);
    }
  });

  it.each([
    ['down', '../../victim'],
    ['ssh', '../../victim'],
  ])(
    'kvmatrix %s %s is a usage error and removes nothing outside the state folder',
    async (command, name) => {
      // What `down` would have found there: a run state it would tear down and remove.
      const victim = path.join(scratch(), 'victim');
      await mkdir(victim, { recursive: true });
      await writeFile(
        path.join(victim, 'state.json'),
        JSON.stringify({ provider: 'podman', cell: 'x', machines: [] }),
      );
      const { code, stderr } = await runCli([command, name]);
      expect(code).toBe(EXIT_USAGE);
      expect(stderr).toContain(`"${name}" is not a valid cell name`);
      expect(await readdir(victim)).toEqual(['state.json']);
    },
  );

  it('kvmatrix reap --run ../x is a usage error', async () => {
    const { code, stderr } = await runCli(['reap', '--provider', 'podman', '--run', '../x']);
    expect(code).toBe(EXIT_USAGE);
    expect(stderr).toContain('"../x" is not a valid run id');
  });
});
