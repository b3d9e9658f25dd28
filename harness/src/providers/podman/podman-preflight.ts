import type { MachineSpec } from '../../contracts/machine.ts';
import { nearestExistingDir } from '../../host/cache-entry.ts';
import { stateDir } from '../../host/paths.ts';
import {
  checkBridge,
  checkFreeSpace,
  checkGoldenImages,
  checkRoot,
  checkTool,
} from '../local/preflight-checks.ts';
import type { PreflightCheck } from '../provider.ts';
import { podman } from './podman.ts';

// Everything `up` needs from this host, each with a hint; cheap (about a second).
export async function preflightPodman(machines: MachineSpec[]): Promise<PreflightCheck[]> {
  const checks: PreflightCheck[] = [checkRoot()];
  const tool = await checkTool('podman', ['--version'], 'apt-get install podman (Debian 12 ships 4.3)');
  checks.push(tool);
  checks.push(await checkTool('runc', ['--version'], 'apt-get install runc (crun fails on hybrid cgroups)'));
  if (tool.ok) {
    const info = await podman(['info', '--format', '{{.Store.GraphRoot}}|{{.Host.NetworkBackend}}']).catch(
      () => undefined,
    );
    if (info?.exitCode !== 0) {
      checks.push({
        name: 'podman info',
        ok: false,
        detail: info?.stderr.split('\n')[0] ?? 'podman info failed',
        hint: 'fix podman storage (podman system reset destroys all containers: only on a machine of your own)',
      });
    } else {
      const [graphRoot = '/var/lib/containers', backend = ''] = info.stdout.trim().split('|');
      checks.push({ name: 'podman network backend', ok: true, detail: backend });
      checks.push(await checkFreeSpace('podman storage', graphRoot, 2 + machines.length * 0.5));
    }
  }
  checks.push(await checkFreeSpace('state dir', await nearestExistingDir(stateDir()), 0.1));
  checks.push(await checkBridge());
  checks.push(...(await checkGoldenImages(machines)));
  return checks;
}
