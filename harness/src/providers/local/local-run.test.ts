import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunIdentity } from '../../contracts/machine.ts';
import { newRunId } from '../../host/labels.ts';
import { readRunIndex } from '../../host/run-index.ts';
import { useScratchDir } from '../../host/test/scratch-dir.ts';
import type { Machine } from '../provider.ts';
import { releaseLocalRun, upLocalRun } from './local-run.ts';

// A provider whose machines are made by the test: only the frame of `up` is real (state dir, run
// index, sysctl registration in a scratch KVMATRIX_STATE_DIR).
function fakeProvider() {
  const downs: string[] = [];
  return {
    name: 'fake',
    downs,
    async down(id: RunIdentity, stateDir: string) {
      downs.push(id.runId);
      await releaseLocalRun(id.runId, stateDir);
    },
  };
}

const machine: Machine = {
  name: 'm1',
  address: '10.200.0.10',
  sshHost: '10.200.0.10',
  sshPort: 22,
  sshUser: 'root',
  sshKeyFile: '/nonexistent',
  facts: {},
};

describe('the frame of a local up', () => {
  const scratch = useScratchDir('kvm-local-run-', { KVMATRIX_STATE_DIR: 'state' });

  it('records the run before making machines and keeps them in machines.json', async () => {
    const provider = fakeProvider();
    const id = { runId: newRunId(), cell: 'c' };
    const stateDir = path.join(scratch(), 'ok');
    const result = await upLocalRun(provider, { id, machines: [], stateDir }, async (phases) => {
      expect((await readRunIndex('fake')).map((e) => e.id.runId)).toContain(id.runId);
      phases.push({ phase: 'start', startedAt: new Date().toISOString(), durationMs: 1 });
      return { machines: [machine], artifactHost: '10.200.0.1' };
    });
    expect(result.artifactHost).toBe('10.200.0.1');
    expect(result.phases.map((p) => p.phase)).toEqual(['start']);
    expect(JSON.parse(await readFile(path.join(stateDir, 'machines.json'), 'utf8'))).toEqual([machine]);
    await provider.down(id, stateDir);
    await expect(access(stateDir)).rejects.toThrow();
    expect((await readRunIndex()).map((e) => e.id.runId)).not.toContain(id.runId);
  });

  it('calls down and throws the wrapped error when making the machines fails', async () => {
    const provider = fakeProvider();
    const id = { runId: newRunId(), cell: 'c' };
    const stateDir = path.join(scratch(), 'failed');
    const up = upLocalRun(provider, { id, machines: [], stateDir }, async () => {
      throw new Error('boom');
    });
    await expect(up).rejects.toThrow('fake: up failed: boom');
    expect(provider.downs).toEqual([id.runId]);
    await expect(access(stateDir)).rejects.toThrow();
    expect((await readRunIndex()).map((e) => e.id.runId)).not.toContain(id.runId);
  });

  it('refuses a bad machine name before it creates anything', async () => {
    const provider = fakeProvider();
    const stateDir = path.join(scratch(), 'bad');
    const spec = { name: 'Bad_Name', roles: [], os: 'debian12', cpus: 1, memoryMiB: 512, diskGiB: 4 };
    const up = upLocalRun(
      provider,
      { id: { runId: newRunId(), cell: 'c' }, machines: [spec], stateDir },
      () => Promise.reject(new Error('not reached')),
    );
    await expect(up).rejects.toThrow(/machine name "Bad_Name" is not valid/);
    expect(provider.downs).toEqual([]);
    await expect(access(stateDir)).rejects.toThrow();
  });
});
