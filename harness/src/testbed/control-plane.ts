import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { currentMinor } from '../artifacts/versions.ts';
import { KvError } from '../contracts/errors.ts';
import { claimPort } from '../host/ports.ts';
import { type ManagedProcess, startProcess, tailLog } from '../host/processes.ts';
import { createLineProgress, type ProgressReporter } from '../host/progress.ts';
import { findControlPlaneBinaries } from './binaries.ts';
import { type ControlPlanePki, createPki, renderAdminKubeconfig } from './certs.ts';
import { apiserverArgs, controllerManagerArgs, etcdArgs } from './component-args.ts';
import {
  reapOrphanedTestbeds,
  type TestbedState,
  tearDownTestbed,
  writeTestbedState,
} from './testbed-state.ts';

// A real Kubernetes control plane on loopback for tests and people: etcd, kube-apiserver and
// kube-controller-manager from the artifact set (or KUBEBUILDER_ASSETS), each on a free port,
// with its own PKI and data in one temporary directory that stop() removes.

export interface ControlPlaneOptions {
  kubernetes?: string;
  // Attached (default): dies with this process. Detached: survives it until `testbed down`.
  attached?: boolean;
  apiserverPort?: number;
  etcdPort?: number;
  controllerManager?: boolean;
  readyTimeoutMs?: number;
  progress?: ProgressReporter;
}

export interface ControlPlane {
  id: string;
  dir: string;
  kubeconfig: string;
  server: string;
  binariesFrom: string;
  controllerManager: boolean;
  stop(): Promise<void>;
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const progress = options.progress ?? createLineProgress('testbed');
  const attached = options.attached ?? true;
  const reaped = await reapOrphanedTestbeds();
  if (reaped) progress(`reaped ${reaped} control plane(s) left behind by dead processes`);
  const binaries = findControlPlaneBinaries(options.kubernetes ?? currentMinor);
  const id = `kvm-testbed-${randomBytes(4).toString('hex')}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), `${id}-`));
  const state: TestbedState = {
    id,
    dir,
    kubeconfig: path.join(dir, 'admin.kubeconfig'),
    server: '',
    ownerPid: attached ? process.pid : null,
    processes: [],
    startedAt: new Date().toISOString(),
  };
  const started: ManagedProcess[] = [];
  const record = async (proc: ManagedProcess) => {
    started.push(proc);
    state.processes.push({ name: proc.name, pid: proc.pid });
    await writeTestbedState(state);
  };
  try {
    await writeTestbedState(state);
    const etcdPort = await claimPort(options.etcdPort, 'etcd');
    const etcdPeerPort = await claimPort(undefined, 'etcd peers');
    const apiPort = await claimPort(options.apiserverPort, 'kube-apiserver');
    state.server = `https://127.0.0.1:${apiPort}`;
    const pki = await createPki(await mkdirIn(dir, 'pki'));
    await writeFile(state.kubeconfig, await renderAdminKubeconfig(pki, state.server), { mode: 0o600 });
    progress(`starting etcd and kube-apiserver from ${binaries.source}`);
    await record(
      startProcess({
        name: 'etcd',
        command: binaries.etcd,
        args: etcdArgs(path.join(dir, 'etcd'), etcdPort, etcdPeerPort),
        logFile: path.join(dir, 'etcd.log'),
        attached,
      }),
    );
    await record(
      startProcess({
        name: 'kube-apiserver',
        command: binaries.kubeApiserver,
        args: apiserverArgs(pki, apiPort, `http://127.0.0.1:${etcdPort}`, path.join(dir, 'apiserver')),
        logFile: path.join(dir, 'kube-apiserver.log'),
        attached,
      }),
    );
    const deadline = Date.now() + (options.readyTimeoutMs ?? 180_000);
    await waitForReady(`${state.server}/readyz`, pki, started, deadline);
    progress(`kube-apiserver ready at ${state.server}`);
    if (binaries.kubeControllerManager && options.controllerManager !== false) {
      const kcmPort = await claimPort(undefined, 'kube-controller-manager');
      await record(
        startProcess({
          name: 'kube-controller-manager',
          command: binaries.kubeControllerManager,
          args: controllerManagerArgs(pki, state.kubeconfig, kcmPort),
          logFile: path.join(dir, 'kube-controller-manager.log'),
          attached,
        }),
      );
      await waitForReady(`https://127.0.0.1:${kcmPort}/healthz`, pki, started, deadline, true);
      progress('kube-controller-manager healthy');
    }
  } catch (error) {
    await tearDownTestbed(state, 2000);
    throw error;
  }
  return {
    id,
    dir,
    kubeconfig: state.kubeconfig,
    server: state.server,
    binariesFrom: binaries.source,
    controllerManager: state.processes.some((p) => p.name === 'kube-controller-manager'),
    stop: () => tearDownTestbed(state),
  };
}

async function mkdirIn(dir: string, name: string): Promise<string> {
  const full = path.join(dir, name);
  await mkdir(full, { recursive: true, mode: 0o700 });
  return full;
}

function probe(url: string, ca: Buffer, cert: Buffer, key: Buffer, insecure: boolean) {
  return new Promise<number>((resolve) => {
    const request = https.get(
      url,
      { ca, cert, key, rejectUnauthorized: !insecure, timeout: 5000, servername: 'localhost' },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', () => resolve(0));
    request.on('timeout', () => request.destroy());
  });
}

// Polls until the endpoint answers 200; fails early with the component's log if it exits.
async function waitForReady(
  url: string,
  pki: ControlPlanePki,
  processes: ManagedProcess[],
  deadline: number,
  insecure = false,
): Promise<void> {
  const [ca, cert, key] = await Promise.all(
    [pki.caCert, pki.adminCert, pki.adminKey].map((f) => readFile(f)),
  );
  const exits = processes.map((proc) => proc.exited.then((code) => ({ proc, code })));
  let dead: { proc: ManagedProcess; code: string } | undefined;
  void Promise.race(exits).then((result) => {
    dead = result;
  });
  while (Date.now() < deadline) {
    if (dead) throw await componentDied(dead.proc, dead.code);
    if ((await probe(url, ca as Buffer, cert as Buffer, key as Buffer, insecure)) === 200) return;
    await sleep(250);
  }
  throw new KvError('TIMEOUT', `${url} did not become ready in time`, {
    hint: `see the logs in ${path.dirname(processes[0]?.logFile ?? '')}: ${await tailLog(processes.at(-1)?.logFile ?? '', 5)}`,
  });
}

async function componentDied(proc: ManagedProcess, code: string): Promise<KvError> {
  const log = await tailLog(proc.logFile);
  if (/address already in use/.test(log)) {
    return new KvError('USAGE', `${proc.name} could not bind its port: address already in use`, {
      hint: 'another process took the port; run again (ports are picked anew) or free it',
    });
  }
  return new KvError('INFRASTRUCTURE', `${proc.name} exited (${code}) while starting:\n${log}`);
}
