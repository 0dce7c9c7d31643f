/**
 * Structured logging: one JSON object per line. Fields must never carry key material or tokens;
 * pass identifiers (cluster, node, share index, wrapper id), never values.
 */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger that adds these fields to every line. */
  child(fields: LogFields): Logger;
}
