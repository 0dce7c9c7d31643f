import type { LogFields, Logger } from '../ports/logger.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/**
 * JSON-lines logger. `write` receives each finished line (stdout on Lambda, where CloudWatch
 * picks it up; stderr for the CLI so stdout stays machine-readable).
 */
export function createJsonLogger(options: { level?: LogLevel; write: (line: string) => void; now?: () => number; base?: LogFields }): Logger {
  const threshold = ORDER[options.level ?? 'info'];
  const now = options.now ?? Date.now;
  const make = (base: LogFields): Logger => {
    const emit = (level: Exclude<LogLevel, 'silent'>, event: string, fields?: LogFields) => {
      if (ORDER[level] < threshold) return;
      options.write(JSON.stringify({ time: new Date(now()).toISOString(), level, event, ...base, ...fields }, errorReplacer));
    };
    return {
      debug: (e, f) => emit('debug', e, f),
      info: (e, f) => emit('info', e, f),
      warn: (e, f) => emit('warn', e, f),
      error: (e, f) => emit('error', e, f),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(options.base ?? {});
}

/** A logger that drops everything (tests, quiet CLI commands). */
export const silentLogger: Logger = createJsonLogger({ level: 'silent', write: () => {} });

// Errors serialise to {} by default; keep name, code and message (never stacks in logs).
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) };
  }
  return value;
}
