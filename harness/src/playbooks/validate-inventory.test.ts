import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { repoRoot, toolEnv } from '../host/paths.ts';

// The playbooks' fail-early contract: a bad variable stops an entry playbook in its validation
// play, with a message naming the variable, before any task of another play runs. Real
// ansible-playbook, real HTTP manifest; the "node" is this machine over the local connection, and
// --check is added so that even a broken validation could not change it.

const playbooksDir = path.join(repoRoot, 'playbooks');
// The "node" is this machine: its OS as the playbooks name it (debian12, debian13, ubuntu2404).
const osRelease = Object.fromEntries(
  readFileSync('/etc/os-release', 'utf8')
    .split('\n')
    .map((line) => line.split('=') as [string, string])
    .map(([key, value]) => [key, (value ?? '').replace(/^"|"$/g, '')]),
);
const hostOs = `${osRelease.ID}${osRelease.ID === 'ubuntu' ? osRelease.VERSION_ID?.replace('.', '') : osRelease.VERSION_ID}`;
const goodVersion = '1.34.4';
let server: Server;
let artifactUrl = '';
let workDir = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === `/kubernetes/v${goodVersion}/manifest.json`) {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          schema: 1,
          kubernetes: goodVersion,
          files: { 'bin/kubelet': { sha256: '0'.repeat(64), size: 1, source: 'test' } },
          images: {},
        }),
      );
      return;
    }
    res.statusCode = 404;
    res.end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  artifactUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  workDir = await mkdtemp(path.join(tmpdir(), 'kvm-playbooks-validate-'));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

interface Outcome {
  exitCode: number;
  output: string;
}

async function runEntry(entry: string, vars: Record<string, unknown>): Promise<Outcome> {
  const inventory = {
    all: {
      vars: {
        ansible_connection: 'local',
        ansible_python_interpreter: '{{ ansible_playbook_python }}',
        kube_version: goodVersion,
        container_runtime: 'containerd',
        network_plugin: 'bridge',
        kvmatrix_os: hostOs,
        kvmatrix_artifact_url: artifactUrl,
        kvmatrix_registry: '127.0.0.1:5000',
      },
      children: {
        k8s_cluster: { children: { kube_control_plane: null, kube_node: null } },
        kube_control_plane: { hosts: { cp1: { ip: '192.168.50.10' } } },
        kube_node: { hosts: { cp1: null } },
      },
    },
  };
  const inventoryFile = path.join(workDir, `inventory-${Math.random().toString(36).slice(2)}.yml`);
  await writeFile(inventoryFile, stringify(inventory));
  const varsFile = `${inventoryFile}.vars.json`;
  await writeFile(varsFile, JSON.stringify(vars));
  const result = await execa(
    'ansible-playbook',
    [entry, '-i', inventoryFile, '-e', `@${varsFile}`, '--check'],
    {
      cwd: playbooksDir,
      env: toolEnv({ ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0' }),
      all: true,
      reject: false,
      timeout: 120_000,
    },
  );
  // The YAML result format wraps long messages: compare with whitespace collapsed.
  return {
    exitCode: result.exitCode ?? -1,
    output: (result.all ?? '').replace(/[ \t]*\n[ \t]*(?!PLAY|TASK)/g, ' '),
  };
}

// Every play that ran, by its name: only the validation play may appear for bad inputs.
function playsRun(output: string): string[] {
  return [...output.matchAll(/^PLAY \[(.+?)\]/gm)].map((m) => m[1] ?? '');
}

describe('the validation play of the entry playbooks', () => {
  it('accepts a correct inventory (so a failure below means the bad variable was caught)', async () => {
    const outcome = await runEntry('internal/validate.yml', {});
    expect(outcome.output).toContain('failed=0');
    expect(outcome.exitCode).toBe(0);
  }, 120_000);

  it('rejects an unknown container runtime and names container_runtime', async () => {
    const outcome = await runEntry('cluster.yml', { container_runtime: 'rkt' });
    expect(outcome.exitCode).not.toBe(0);
    expect(outcome.output).toMatch(/Variable container_runtime is "rkt": expected one of containerd/);
    expect(playsRun(outcome.output)).toEqual(['Validate the inventory before changing any host']);
  }, 120_000);

  it('rejects an OS the roles do not support, and an OS other than the hosts run', async () => {
    const unknown = await runEntry('cluster.yml', { kvmatrix_os: 'rocky9' });
    expect(unknown.exitCode).not.toBe(0);
    expect(unknown.output).toMatch(/Variable kvmatrix_os is "rocky9": expected one of debian12, debian13/);
    expect(playsRun(unknown.output)).toEqual(['Validate the inventory before changing any host']);
    const other = hostOs === 'debian13' ? 'debian12' : 'debian13';
    const mismatch = await runEntry('cluster.yml', { kvmatrix_os: other });
    expect(mismatch.exitCode).not.toBe(0);
    expect(mismatch.output).toMatch(new RegExp(`Host cp1 runs .*\\(${hostOs}\\): expected ${other}`));
  }, 240_000);

  it('rejects a pod subnet that overlaps the node network and names cluster_pod_subnet', async () => {
    const outcome = await runEntry('cluster.yml', { cluster_pod_subnet: '192.168.0.0/16' });
    expect(outcome.exitCode).not.toBe(0);
    expect(outcome.output).toMatch(
      /Variable cluster_pod_subnet \(192\.168\.0\.0\/16\) overlaps the node network of cp1/,
    );
    expect(playsRun(outcome.output)).toEqual(['Validate the inventory before changing any host']);
  }, 120_000);

  it('rejects a version the artifact set does not hold and names kube_version', async () => {
    const outcome = await runEntry('upgrade.yml', { kube_version: '1.99.0' });
    expect(outcome.exitCode).not.toBe(0);
    expect(outcome.output).toMatch(
      /Variable kube_version\s+is 1\.99\.0, but the artifact set at http:\/\/127\.0\.0\.1:\d+ does not hold it/,
    );
    expect(playsRun(outcome.output)).toEqual(['Validate the inventory before changing any host']);
  }, 120_000);
});
