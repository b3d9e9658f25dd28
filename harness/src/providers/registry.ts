import { UsageError } from '../contracts/errors.ts';
import type { Provider } from './provider.ts';

// The providers kvmatrix knows, by name, in the order `auto` tries them (fastest first). Each is
// loaded lazily so that a command using one never pays for the others. Another provider (kubevirt)
// adds one entry here.
export const providerFactories: Record<string, () => Promise<Provider>> = {
  podman: async () => new (await import('./podman/podman-provider.ts')).PodmanProvider(),
  qemu: async () => new (await import('./qemu/qemu-provider.ts')).QemuProvider(),
  kubevirt: async () => new (await import('./kubevirt/kubevirt-provider.ts')).KubevirtProvider(),
};

// The local providers `auto` may choose, fastest first.
export const autoOrder = ['podman', 'qemu'];

export function providerNames(): string[] {
  return Object.keys(providerFactories);
}

export async function createProvider(name: string): Promise<Provider> {
  const factory = providerFactories[name];
  if (!factory) {
    throw new UsageError(`unknown provider "${name}"`, {
      hint: `use one of: ${providerNames().join(', ')}, auto`,
    });
  }
  return factory();
}
