// Plain timestamped progress lines on stderr (stdout stays free for results such as
// `KUBECONFIG=<path>`), the format CI logs and terminals both read well.

export type ProgressReporter = (message: string) => void;

export function createProgress(
  prefix: string,
  write: (line: string) => void = writeStderr,
): ProgressReporter {
  return (message) => write(`[${new Date().toISOString().slice(11, 19)}] ${prefix}: ${message}\n`);
}

function writeStderr(line: string): void {
  process.stderr.write(line);
}

export const silentProgress: ProgressReporter = () => {};

export function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
