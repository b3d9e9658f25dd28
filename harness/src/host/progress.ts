import logUpdate from 'log-update';

// The one progress printer of kvmatrix, on stderr (stdout stays free for results such as
// `KUBECONFIG=<path>` or an inventory). Two shapes: a reporter of plain timestamped lines for
// long builds and provider work, and a run's step progress (begin/end with outcome and time).

export type ProgressReporter = (message: string) => void;

// Plain lines `[hh:mm:ss] prefix: message`, the format CI logs and terminals both read well.
export function createLineProgress(
  prefix: string,
  write: (line: string) => void = writeStderr,
): ProgressReporter {
  return (message) => write(`[${stamp()}] ${prefix}: ${message}\n`);
}

function writeStderr(line: string): void {
  process.stderr.write(line);
}

export const silentProgress: ProgressReporter = () => {};

export function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

// Shows a run's progress: on a terminal a live status line under the finished lines; in CI (or
// when output is not a TTY) plain timestamped lines, one per event, that read well in a job log.
export interface Progress {
  info(message: string): void;
  begin(label: string): void;
  detail(text: string): void;
  end(
    label: string,
    outcome: 'passed' | 'failed' | 'skipped' | 'error',
    durationMs: number,
    note?: string,
  ): void;
  close(): void;
}

const SYMBOL = { passed: 'ok  ', failed: 'FAIL', skipped: 'skip', error: 'ERR ' } as const;

function stamp(): string {
  return new Date().toISOString().slice(11, 19);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const live = Boolean(stream.isTTY) && !process.env.CI;
  if (!live) {
    return {
      info: (m) => stream.write(`[${stamp()}] ${m}\n`),
      begin: (label) => stream.write(`[${stamp()}] ${label} ...\n`),
      detail: () => {},
      end: (label, outcome, ms, note) =>
        stream.write(`[${stamp()}] ${SYMBOL[outcome]} ${label} (${seconds(ms)})${note ? `: ${note}` : ''}\n`),
      close: () => {},
    };
  }
  let current = '';
  let started = 0;
  let detail = '';
  const render = (): void => {
    if (!current) {
      logUpdate('');
      return;
    }
    logUpdate(`  .. ${current} ${seconds(Date.now() - started)}${detail ? `\n     ${detail}` : ''}`);
  };
  const timer = setInterval(render, 500);
  timer.unref();
  return {
    info(m) {
      logUpdate.clear();
      stream.write(`${m}\n`);
      render();
    },
    begin(label) {
      current = label;
      started = Date.now();
      detail = '';
      render();
    },
    detail(text) {
      detail = text.length > 100 ? `${text.slice(0, 97)}...` : text;
    },
    end(label, outcome, ms, note) {
      logUpdate.clear();
      current = '';
      stream.write(`  ${SYMBOL[outcome]} ${label} (${seconds(ms)})${note ? `: ${note}` : ''}\n`);
    },
    close() {
      clearInterval(timer);
      logUpdate.clear();
    },
  };
}
