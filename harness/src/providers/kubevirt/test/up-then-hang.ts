// Run by the "killed harness" test as a separate process: starts `up` for one machine against the
// test cluster (no stand-in controller, so it waits forever after creating the namespace) and
// prints each progress line, so the test can SIGKILL it at the worst moment.
import { KubevirtProvider } from '../kubevirt-provider.ts';

const env = process.env;
const provider = new KubevirtProvider({
  kubeconfig: env.KVM_TEST_KUBECONFIG ?? '',
  imageNamespace: env.KVM_TEST_IMAGE_NAMESPACE ?? '',
  readyTimeoutMs: 600_000,
});
provider
  .up({
    id: {
      runId: env.KVM_TEST_RUN_ID ?? '',
      cell: 'debian12-1.34-containerd-calico-aio-deploy',
      pipeline: '1',
      job: '2',
    },
    machines: [
      {
        name: 'aio',
        roles: ['control-plane', 'worker'],
        os: 'debian12',
        cpus: 2,
        memoryMiB: 2048,
        diskGiB: 20,
      },
    ],
    stateDir: env.KVM_TEST_STATE_DIR ?? '',
    log: (line) => process.stdout.write(`${line}\n`),
  })
  .catch((error) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(3);
  });
