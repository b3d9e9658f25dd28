import { inject } from 'vitest';

// The shared test control plane (issue 4's vitest global setup). Undefined: this checkout has no
// testbed global setup at all, so the integration suite is skipped; '' means it failed to start,
// which fails the suite with the reason.
export function testbedKubeconfig(): string | undefined {
  const kubeconfig = inject('kubeconfig' as never) as string | undefined;
  if (kubeconfig === undefined) return undefined;
  if (!kubeconfig)
    throw new Error(
      `the test control plane is not running: ${String(inject('testbedUnavailable' as never))}`,
    );
  return kubeconfig;
}
