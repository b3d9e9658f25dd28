import { access } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useScratchDir } from '../../host/test/scratch-dir.ts';
import { hostDir, listRegisteredRuns, registerRunSysctls, releaseRunSysctls } from './host-sysctls.ts';

// The registry is written for real (in a scratch KVMATRIX_HOST_STATE_DIR); no sysctl changes
// between register and release, so the release writes nothing to /proc.
describe('the host sysctl registry', () => {
  const scratch = useScratchDir('kvm-host-sysctls-', {
    KVMATRIX_HOST_STATE_DIR: 'host',
    KVMATRIX_STATE_DIR: 'state-a',
  });

  it('is one per host: runs with different state dirs keep each other live until the last leaves', async () => {
    process.env.KVMATRIX_STATE_DIR = path.join(scratch(), 'state-a');
    await registerRunSysctls('kvmrunaaaa', 'fake');
    process.env.KVMATRIX_STATE_DIR = path.join(scratch(), 'state-b');
    await registerRunSysctls('kvmrunbbbb', 'fake');
    expect((await listRegisteredRuns('fake')).sort()).toEqual(['kvmrunaaaa', 'kvmrunbbbb']);

    expect(await releaseRunSysctls('kvmrunbbbb')).toEqual([]);
    expect(await listRegisteredRuns('fake')).toEqual(['kvmrunaaaa']);
    await access(path.join(hostDir(), 'sysctl-baseline.json'));

    process.env.KVMATRIX_STATE_DIR = path.join(scratch(), 'state-a');
    await releaseRunSysctls('kvmrunaaaa');
    expect(await listRegisteredRuns('fake')).toEqual([]);
    await expect(access(path.join(hostDir(), 'sysctl-baseline.json'))).rejects.toThrow();
  });

  it('lives under /run as root unless KVMATRIX_HOST_STATE_DIR says otherwise', () => {
    const saved = process.env.KVMATRIX_HOST_STATE_DIR;
    delete process.env.KVMATRIX_HOST_STATE_DIR;
    try {
      if (process.getuid?.() === 0) expect(hostDir()).toBe('/run/kvmatrix/host');
      else expect(hostDir()).toMatch(/kvmatrix\/host$/);
    } finally {
      process.env.KVMATRIX_HOST_STATE_DIR = saved;
    }
  });
});
