import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlaybook } from './run-playbook.ts';

// Real ansible-playbook runs (from .venv, installed by `npm run setup`) against localhost.
describe('runPlaybook with the kvmatrix_events callback', () => {
  let dir: string;
  let inventory: string;
  const fixtures = path.join(import.meta.dirname, 'test', 'fixtures');
  const run = (name: string, extraVars: Record<string, unknown>) =>
    runPlaybook({
      playbook: 'change-once.yml',
      playbooksDir: fixtures,
      inventoryFile: inventory,
      extraVars: { marker_path: path.join(dir, 'marker'), ...extraVars },
      logFile: path.join(dir, `${name}.log`),
      eventsFile: path.join(dir, `${name}.jsonl`),
      timeoutMs: 120_000,
      signal: new AbortController().signal,
    });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kvmatrix-playbook-'));
    inventory = path.join(dir, 'hosts.yml');
    await writeFile(
      inventory,
      'local:\n  hosts:\n    localhost:\n      ansible_connection: local\n      ansible_python_interpreter: /usr/bin/python3\n',
    );
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('times every task and reports the changed one with its diff, then nothing on a second run', async () => {
    const first = await run('first', { marker_content: 'hello' });
    expect(first.exitCode).toBe(0);
    expect(first.events.tasks.map((t) => t.task)).toContain('Fixture | Write the marker file');
    expect(first.events.changed).toHaveLength(1);
    expect(first.events.changed[0]?.diff).toContain('hello');
    expect(first.events.recap.localhost?.changed).toBe(1);

    const second = await run('second', { marker_content: 'hello' });
    expect(second.exitCode).toBe(0);
    expect(second.events.changed).toHaveLength(0);
    expect(await readFile(path.join(dir, 'second.log'), 'utf8')).toContain('changed=0');
  }, 120_000);

  it('names the failed task and its message', async () => {
    const failed = await run('failed', { marker_content: 'boom', fail_now: true });
    expect(failed.exitCode).toBe(2);
    expect(failed.events.failures[0]).toMatchObject({
      host: 'localhost',
      task: 'Fixture | Fail when asked to',
      unreachable: false,
    });
    expect(failed.events.failures[0]?.message).toBe('asked to fail: boom');
  }, 120_000);

  it('kills the playbook when the run is aborted', async () => {
    const controller = new AbortController();
    const pending = runPlaybook({
      playbook: 'change-once.yml',
      playbooksDir: fixtures,
      inventoryFile: inventory,
      extraVars: { marker_path: path.join(dir, 'marker2'), marker_content: 'x' },
      logFile: path.join(dir, 'abort.log'),
      eventsFile: path.join(dir, 'abort.jsonl'),
      timeoutMs: 120_000,
      signal: controller.signal,
    });
    controller.abort();
    const outcome = await pending;
    expect(outcome.interrupted).toBe(true);
    expect(outcome.exitCode).not.toBe(0);
  }, 60_000);
});
