import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostDir, listRegisteredRuns, registerRunSysctls, releaseRunSysctls } from './host-sysctls.ts';

// The registry is written for real (in a scratch KVMATRIX_HOST_STATE_DIR); no sysctl changes
// between register and release, so the release writes nothing to /proc.
describe('the host sysctl registry', () => {
  let scratch = '';
  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'kvm-host-sysctls-'));
    process.env.KVMATRIX_HOST_STATE_DIR = path.join(scratch, 'host');
  });
  afterAll(async () => {
    delete process.env.KVMATRIX_HOST_STATE_DIR;
    delete process.env.KVMATRIX_STATE_DIR;
    await rm(scratch, { recursive: true, force: true });
  });

  it('is one per host: runs with different state dirs keep each other live until the last leaves', async () => {
    process.env.KVMATRIX_STATE_DIR = path.join(scratch, 'state-a');
    await registerRunSysctls('kvmrunaaaa', 'fake');
    process.env.KVMATRIX_STATE_DIR = path.join(scratch, 'state-b');
    await registerRunSysctls('kvmrunbbbb', 'fake');
    expect((await listRegisteredRuns('fake')).sort()).toEqual(['kvmrunaaaa', 'kvmrunbbbb']);

    expect(await releaseRunSysctls('kvmrunbbbb')).toEqual([]);
    expect(await listRegisteredRuns('fake')).toEqual(['kvmrunaaaa']);
    await access(path.join(hostDir(), 'sysctl-baseline.json'));

    process.env.KVMATRIX_STATE_DIR = path.join(scratch, 'state-a');
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
