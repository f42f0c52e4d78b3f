/** Log levels, most severe first. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** A structured logger; fields must never carry secrets. */
export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

const order: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** A logger writing one line per entry to stderr, at FIELDGRAPH_LOG level (default info). */
export const createLogger = (
  scope = 'fieldgraph',
  level: LogLevel = (process.env.FIELDGRAPH_LOG as LogLevel) || 'info',
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): Logger => {
  const max = order[level] ?? order.info;
  const at =
    (lvl: LogLevel) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (order[lvl] > max) return;
      const extra = fields && Object.keys(fields).length ? ' ' + JSON.stringify(fields) : '';
      write(`${new Date().toISOString()} ${lvl.toUpperCase()} [${scope}] ${message}${extra}`);
    };
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    child: (sub) => createLogger(`${scope}:${sub}`, level, write),
  };
};

/** A logger that drops everything (tests). */
export const silentLogger: Logger = createLogger('silent', 'error', () => {});
