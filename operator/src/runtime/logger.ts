// Plain timestamped log lines on stderr; controllers never print anything else.
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function createLogger(prefix: string, quiet = false): Logger {
  const write = (level: string, message: string): void => {
    if (quiet && level === 'info') return;
    process.stderr.write(`${new Date().toISOString()} ${level} ${prefix}: ${message}\n`);
  };
  return {
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
