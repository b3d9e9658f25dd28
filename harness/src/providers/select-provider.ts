import { KvError } from '../contracts/errors.ts';
import type { MachineSpec } from '../contracts/machine.ts';
import type { PreflightCheck, Provider } from './provider.ts';
import { autoOrder, createProvider } from './registry.ts';

export interface ProviderChoice {
  provider: Provider;
  checks: PreflightCheck[];
  // One line for the user: which provider, and why (for `auto`, why the faster ones were skipped).
  message: string;
}

export class PreflightError extends KvError {
  readonly checks: PreflightCheck[];

  constructor(message: string, checks: PreflightCheck[], hint?: string) {
    super('PREFLIGHT', message, { hint });
    this.checks = checks;
  }
}

export function failedChecks(checks: PreflightCheck[]): PreflightCheck[] {
  return checks.filter((c) => !c.ok);
}

function describeFailures(checks: PreflightCheck[]): string {
  return failedChecks(checks)
    .map((c) => `${c.name}: ${c.detail}`)
    .join('; ');
}

// Picks the provider to run on. A name means that provider, which must pass its preflight;
// 'auto' means the fastest that passes here (podman, then qemu), with a message saying why.
export async function selectProvider(name: string, machines: MachineSpec[] = []): Promise<ProviderChoice> {
  if (name !== 'auto') {
    const provider = await createProvider(name);
    const checks = await provider.preflight(machines);
    const failed = failedChecks(checks);
    if (failed.length > 0) {
      throw new PreflightError(
        `provider ${name} cannot run here: ${describeFailures(checks)}`,
        checks,
        failed
          .map((c) => c.hint)
          .filter(Boolean)
          .join('; ') || undefined,
      );
    }
    return { provider, checks, message: `provider: ${name} (as asked)` };
  }
  const skipped: string[] = [];
  const allChecks: PreflightCheck[] = [];
  for (const candidate of autoOrder) {
    const provider = await createProvider(candidate);
    const checks = await provider.preflight(machines);
    allChecks.push(...checks.map((c) => ({ ...c, name: `${candidate}: ${c.name}` })));
    if (failedChecks(checks).length === 0) {
      const why = skipped.length ? `; skipped ${skipped.join('; ')}` : '';
      return {
        provider,
        checks,
        message: `provider: ${candidate} (auto: the fastest that works here${why})`,
      };
    }
    skipped.push(`${candidate} (${describeFailures(checks)})`);
  }
  throw new PreflightError(
    `no local provider works here: ${skipped.join('; ')}`,
    allChecks,
    failedChecks(allChecks)
      .map((c) => c.hint)
      .filter(Boolean)
      .join('; '),
  );
}
