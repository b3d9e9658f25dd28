import { execa } from 'execa';
import { stringify } from 'yaml';
import { InfrastructureError } from '../contracts/errors.ts';
import type { KubeObject } from './operator-manifests.ts';

// kubectl against the management cluster. Output is returned, never logged by this module, so a
// caller decides what may reach a log (no Secret is ever read through `run` into a log).
export class MgmtKubectl {
  readonly kubectl: string;
  readonly kubeconfig: string;
  readonly signal: AbortSignal;

  constructor(kubectl: string, kubeconfig: string, signal: AbortSignal) {
    this.kubectl = kubectl;
    this.kubeconfig = kubeconfig;
    this.signal = signal;
  }

  async run(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<string> {
    const r = await execa(this.kubectl, ['--kubeconfig', this.kubeconfig, ...args], {
      reject: false,
      cancelSignal: this.signal,
      timeout: options.timeoutMs ?? 120_000,
      ...(options.input !== undefined ? { input: options.input } : {}),
    });
    if (r.exitCode !== 0) {
      throw new InfrastructureError(
        `kubectl ${args.slice(0, 3).join(' ')} on the management cluster failed: ${String(r.stderr).trim().slice(-800)}`,
      );
    }
    return String(r.stdout);
  }

  // Server-side apply (idempotent; a resumed step re-applies the same objects).
  async apply(objects: KubeObject[]): Promise<void> {
    const input = objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
    await this.run(
      ['apply', '--server-side', '--force-conflicts', '--field-manager=kvmatrix-harness', '-f', '-'],
      {
        input,
      },
    );
  }

  async getJson<T>(args: string[]): Promise<T | undefined> {
    const r = await execa(this.kubectl, ['--kubeconfig', this.kubeconfig, 'get', ...args, '-o', 'json'], {
      reject: false,
      cancelSignal: this.signal,
      timeout: 60_000,
    });
    if (r.exitCode !== 0) {
      if (/NotFound|not found/.test(String(r.stderr))) return undefined;
      throw new InfrastructureError(
        `kubectl get ${args.join(' ')} failed: ${String(r.stderr).trim().slice(-400)}`,
      );
    }
    return JSON.parse(String(r.stdout)) as T;
  }
}
