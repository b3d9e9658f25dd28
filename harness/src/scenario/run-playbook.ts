import { createWriteStream } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { cellEnv } from '../host/cell-env.ts';
import { repoRoot, toolEnv } from '../host/paths.ts';
import { type AnsibleEvents, parseAnsibleEvents } from './ansible-events.ts';

export interface PlaybookRun {
  playbook: string;
  inventoryFile: string;
  limit?: string;
  extraVars: Record<string, unknown>;
  // Where the full Ansible output and the task events go (kept as artifacts).
  logFile: string;
  eventsFile: string;
  timeoutMs: number;
  signal: AbortSignal;
  onTask?: (task: string) => void;
  playbooksDir?: string;
}

export interface PlaybookOutcome {
  exitCode: number;
  timedOut: boolean;
  interrupted: boolean;
  events: AnsibleEvents;
}

// Ansible's own exit status for "one or more hosts unreachable": an infrastructure failure.
export const ANSIBLE_UNREACHABLE = 3;

// Runs one ansible-playbook entry and returns its outcome; never throws for a failed playbook.
// The child is killed (TERM, then KILL after 10 s) on timeout or when `signal` aborts.
export async function runPlaybook(run: PlaybookRun): Promise<PlaybookOutcome> {
  const playbooksDir = run.playbooksDir ?? path.join(repoRoot, 'playbooks');
  const varsFile = `${run.eventsFile}.vars.json`;
  await writeFile(varsFile, JSON.stringify(run.extraVars), { mode: 0o600 });
  // A rerun of a step (--from-step) starts its log and its events afresh.
  await rm(run.eventsFile, { force: true });
  const args = [
    path.join(playbooksDir, run.playbook),
    '-i',
    run.inventoryFile,
    '-e',
    `@${varsFile}`,
    '--diff',
  ];
  if (run.limit) args.push('--limit', run.limit);
  const log = createWriteStream(run.logFile, { flags: 'w' });
  log.write(`$ ansible-playbook ${args.join(' ')}\n`);
  const child = execa('ansible-playbook', args, {
    cwd: playbooksDir,
    env: cellEnv({
      ANSIBLE_CALLBACK_PLUGINS: path.join(repoRoot, 'harness', 'ansible', 'callback_plugins'),
      ANSIBLE_CALLBACKS_ENABLED: 'kvmatrix_events',
      KVMATRIX_EVENTS_FILE: run.eventsFile,
      ANSIBLE_FORCE_COLOR: '0',
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_HOST_KEY_CHECKING: 'False',
      ANSIBLE_RETRY_FILES_ENABLED: 'False',
      ANSIBLE_PIPELINING: 'True',
      PYTHONUNBUFFERED: '1',
    }),
    extendEnv: false,
    all: true,
    reject: false,
    timeout: run.timeoutMs,
    cancelSignal: run.signal,
    forceKillAfterDelay: 10_000,
    stdin: 'ignore',
  });
  let pending = '';
  child.all?.on('data', (chunk: Buffer) => {
    log.write(chunk);
    if (!run.onTask) return;
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^(?:TASK|RUNNING HANDLER) \[(.+?)\]/.exec(line);
      if (m?.[1]) run.onTask(m[1]);
    }
  });
  const result = await child;
  await new Promise<void>((resolve) => log.end(resolve));
  const eventsText = await readFile(run.eventsFile, 'utf8').catch(() => '');
  return {
    exitCode: result.exitCode ?? -1,
    timedOut: result.timedOut,
    interrupted: result.isCanceled,
    events: parseAnsibleEvents(eventsText),
  };
}
