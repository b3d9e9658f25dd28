import { execa } from 'execa';
import { KvError } from '../contracts/errors.ts';

// kubectl of the artifact set against the lab's management cluster. Every failure names the
// command and kubectl's own message.
export class LabKubectl {
  readonly kubectl: string;
  readonly kubeconfig: string;

  constructor(kubectl: string, kubeconfig: string) {
    this.kubectl = kubectl;
    this.kubeconfig = kubeconfig;
  }

  async run(args: string[], input?: string, timeoutMs = 120_000): Promise<string> {
    const result = await execa(this.kubectl, ['--kubeconfig', this.kubeconfig, ...args], {
      reject: false,
      timeout: timeoutMs,
      ...(input === undefined ? {} : { input }),
    });
    if (result.exitCode !== 0) {
      throw new KvError(
        'INFRASTRUCTURE',
        `kubectl ${args.slice(0, 4).join(' ')} failed: ${String(result.stderr || result.stdout)
          .trim()
          .slice(-1200)}`,
        { hint: `KUBECONFIG=${this.kubeconfig} kubectl get pods -A shows what the lab runs` },
      );
    }
    return String(result.stdout);
  }

  // Server-side apply, so a second `lab up` converges instead of conflicting.
  async apply(manifest: string, what: string): Promise<void> {
    await this.run(
      ['apply', '--server-side', '--force-conflicts', '--field-manager=kvmatrix-lab', '-f', '-'],
      manifest,
    ).catch((error: unknown) => {
      throw new KvError('INFRASTRUCTURE', `applying ${what}: ${(error as Error).message}`, {
        hint: (error as KvError).hint,
      });
    });
  }

  // Waits for a condition with kubectl wait, retried while the object does not exist yet.
  async waitFor(
    resource: string,
    condition: string,
    namespace: string | undefined,
    timeoutMs: number,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      const left = Math.max(5, Math.round((deadline - Date.now()) / 1000));
      const args = ['wait', resource, `--for=condition=${condition}`, `--timeout=${Math.min(left, 60)}s`];
      if (namespace) args.push('-n', namespace);
      try {
        await this.run(args, undefined, 70_000);
        return;
      } catch (error) {
        last = (error as Error).message;
        await new Promise((resolve) => setTimeout(resolve, 3000));
      }
    }
    throw new KvError(
      'INFRASTRUCTURE',
      `${resource} did not become ${condition} in ${timeoutMs / 60_000} min: ${last}`,
      {
        hint: `KUBECONFIG=${this.kubeconfig} kubectl describe ${resource}${namespace ? ` -n ${namespace}` : ''}`,
      },
    );
  }
}
