import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { InfrastructureError, ToolMissingError } from '../contracts/errors.ts';
import { startProcess, stopProcess, tailLog } from '../host/processes.ts';

// Debian's docker-registry (the CNCF distribution registry, v2 API, plain HTTP) over a storage
// directory. Used read-write at build time to push the images into the storage once, and read-only
// when serving the mirror, so serving never changes the cache.

export const registryBinary = '/usr/bin/docker-registry';

export interface RunningRegistry {
  // host:port, as containerd's hosts.toml and kubeadm's imageRepository want it.
  address: string;
  close(): Promise<void>;
}

export async function startRegistry(options: {
  storage: string;
  host: string;
  port: number;
  readonly: boolean;
}): Promise<RunningRegistry> {
  if (!existsSync(registryBinary)) {
    throw new ToolMissingError('docker-registry', 'apt-get install docker-registry');
  }
  await mkdir(options.storage, { recursive: true });
  const work = await mkdtemp(path.join(os.tmpdir(), 'kvm-artifacts-registry-'));
  const address = `${options.host}:${options.port}`;
  const config = {
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: options.storage },
      delete: { enabled: false },
      maintenance: { uploadpurging: { enabled: false }, readonly: { enabled: options.readonly } },
    },
    http: { addr: address },
  };
  const configFile = path.join(work, 'config.yml');
  await writeFile(configFile, stringify(config));
  const proc = startProcess({
    name: 'docker-registry',
    command: registryBinary,
    args: ['serve', configFile],
    logFile: path.join(work, 'registry.log'),
    attached: true,
  });
  const close = async () => {
    await stopProcess(proc.pid, 5000);
    await rm(work, { recursive: true, force: true });
  };
  let exited = false;
  void proc.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://${address}/v2/`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return { address, close };
    if (exited) break;
    await sleep(100);
  }
  const log = await tailLog(proc.logFile);
  await close();
  throw new InfrastructureError(`docker-registry did not start on ${address}: ${log}`, {
    hint: /address already in use/.test(log)
      ? 'the port is taken; choose another or omit it'
      : 'see the log above',
  });
}
