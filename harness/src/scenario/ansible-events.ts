import type { ChangedTask, TaskTiming } from '../contracts/result-record.ts';

// Reads the JSON lines written by harness/ansible/callback_plugins/kvmatrix_events.py. Pure.
export interface AnsibleEvents {
  tasks: TaskTiming[];
  changed: ChangedTask[];
  failures: Array<{ host: string; task: string; message: string; unreachable: boolean }>;
  recap: Record<string, { ok: number; changed: number; failures: number; unreachable: number }>;
}

interface TaskLine {
  host: string;
  task: string;
  status: string;
  changed: boolean;
  duration_ms: number;
  msg?: string | null;
  diff?: string[];
}

interface RecapLine {
  host: string;
  recap: { ok: number; changed: number; failures: number; unreachable: number };
}

export function parseAnsibleEvents(text: string): AnsibleEvents {
  const events: AnsibleEvents = { tasks: [], changed: [], failures: [], recap: {} };
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    let line: TaskLine | RecapLine;
    try {
      line = JSON.parse(raw) as TaskLine | RecapLine;
    } catch {
      continue; // a line cut short by a killed run
    }
    if ('recap' in line) {
      events.recap[line.host] = line.recap;
      continue;
    }
    events.tasks.push({
      host: line.host,
      task: line.task,
      durationMs: line.duration_ms,
      changed: line.changed,
    });
    if (line.changed && line.status === 'ok') {
      const diff = (line.diff ?? []).join('\n').trim();
      events.changed.push(
        diff ? { host: line.host, task: line.task, diff } : { host: line.host, task: line.task },
      );
    }
    if (line.status === 'failed' || line.status === 'unreachable') {
      events.failures.push({
        host: line.host,
        task: line.task,
        message: (line.msg ?? '').toString().split('\n')[0]?.slice(0, 300) ?? '',
        unreachable: line.status === 'unreachable',
      });
    }
  }
  return events;
}

export function countChanged(events: AnsibleEvents): number {
  return Object.values(events.recap).reduce((sum, r) => sum + r.changed, 0);
}
