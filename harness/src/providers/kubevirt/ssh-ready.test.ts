import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { podNetworkSshArgs } from './ssh-ready.ts';

describe('SSH to a KubeVirt VM', () => {
  it('uses the shared options with only the run key and a 5 s connect timeout', async () => {
    // `ssh -G` prints the configuration ssh would use, resolved as ssh resolves it (a key file that
    // does not exist is left out of it).
    const args = podNetworkSshArgs({ host: '10.0.0.7', port: 2222, user: 'root', keyFile: '/run/key' });
    const config = (await execa('ssh', ['-G', ...args])).stdout.split('\n');
    expect(config).toEqual(
      expect.arrayContaining([
        'hostname 10.0.0.7',
        'port 2222',
        'user root',
        'identitiesonly yes',
        'connecttimeout 5',
        'batchmode yes',
        'stricthostkeychecking false',
        'userknownhostsfile /dev/null',
        'loglevel ERROR',
      ]),
    );
  });
});
