import { describe, expect, it } from 'vitest';
import { renderResourceQuota } from './quota.ts';

describe('renderResourceQuota', () => {
  it('sizes the quota to the cell: CPUs, memory with launcher overhead, disks twice for CDI', () => {
    const m = { roles: [], os: 'debian12', cpus: 2, memoryMiB: 2048, diskGiB: 20 };
    const quota = renderResourceQuota('ns', {}, [
      { ...m, name: 'a' },
      { ...m, name: 'b', cpus: 4 },
      { ...m, name: 'c' },
    ]);
    expect(quota.spec?.hard).toEqual({
      'requests.cpu': '8',
      'requests.memory': `${3 * (2048 + 512)}Mi`,
      'requests.storage': '120Gi',
      persistentvolumeclaims: '6',
      pods: '9',
    });
  });
});
