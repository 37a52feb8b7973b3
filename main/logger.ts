/** A small levelled logger to stderr; `PARLEY_LOG=debug|info|warn|error|silent` sets the level. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const ORDER: Record<LogLevel | 'silent', number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

function threshold(): number {
  const level = (process.env.PARLEY_LOG ?? 'warn').toLowerCase();
  return ORDER[level as LogLevel] ?? ORDER.warn;
}

/** A logger whose lines start with `[name]`. */
export function createLogger(name: string): Logger {
  const min = threshold();
  const line = (level: LogLevel) => (message: string) => {
    if (ORDER[level] >= min) process.stderr.write(`${new Date().toISOString()} ${level} [${name}] ${message}\n`);
  };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}
