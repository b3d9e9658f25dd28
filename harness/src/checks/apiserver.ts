import { VersionApi } from '@kubernetes/client-node';
import { type Check, CheckFailure, eventually } from './check.ts';

// The apiserver answers /readyz and reports the version the cell deployed.
export const apiserverCheck: Check = {
  id: 'apiserver',
  title: 'apiserver ready and at the expected version',
  async run(ctx) {
    const version = await eventually(ctx.signal, 120_000, async () => {
      try {
        return await ctx.kubeConfig.makeApiClient(VersionApi).getCode();
      } catch (error) {
        throw new CheckFailure('the apiserver did not answer /version', String(error));
      }
    });
    const want = `v${ctx.expectedVersion.replace(/^v/, '')}`;
    if (version.gitVersion !== want) {
      throw new CheckFailure(
        `apiserver is at ${version.gitVersion}, expected ${want}`,
        JSON.stringify(version),
      );
    }
    return `apiserver ${version.gitVersion} (${version.platform})`;
  },
};
