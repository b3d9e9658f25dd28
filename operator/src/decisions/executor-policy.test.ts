import { describe, expect, it } from 'vitest';
import { decideExecutor } from './executor-policy.ts';

describe('the executor a ClusterDeployment gets', () => {
  const executor = {
    image: 'registry.local/kvmatrix-executor:1',
    activeDeadlineSeconds: 60,
    allowedImages: ['registry.local/kvmatrix-executor:2'],
    allowedSshKeySecrets: ['lab-ssh'],
  };

  it("is the operator's image and an allowed Secret", () => {
    expect(decideExecutor({ sshKeySecret: 'lab-ssh' }, executor)).toEqual({
      allowed: true,
      choice: { image: 'registry.local/kvmatrix-executor:1', sshKeySecret: 'lab-ssh' },
    });
    expect(
      decideExecutor(
        { executorImage: 'registry.local/kvmatrix-executor:2', sshKeySecret: 'lab-ssh' },
        executor,
      ),
    ).toMatchObject({ allowed: true, choice: { image: 'registry.local/kvmatrix-executor:2' } });
  });

  it('refuses an image the operator does not allow (any image under the executor service account)', () => {
    const d = decideExecutor(
      { executorImage: 'evil.example/miner:latest', sshKeySecret: 'lab-ssh' },
      executor,
    );
    expect(d).toEqual({
      allowed: false,
      reason:
        'spec.executorImage "evil.example/miner:latest" is not allowed: the operator runs registry.local/kvmatrix-executor:1 and the images of --allowed-executor-images only',
    });
  });

  it('refuses a Secret outside the allow-list (any Secret of the namespace mounted)', () => {
    const d = decideExecutor({ sshKeySecret: 'gitlab-runner-token' }, executor);
    expect(d).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('"gitlab-runner-token" is not allowed'),
    });
    expect(
      decideExecutor({ sshKeySecret: 'lab-ssh' }, { ...executor, allowedSshKeySecrets: [] }),
    ).toMatchObject({ allowed: false });
  });
});
