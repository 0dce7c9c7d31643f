/** Go formatting conventions Vault's JSON carries: durations, RFC3339Nano times, encoder output. */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go's `time.Duration.String()` for a millisecond count, e.g. `24h0m0s`, `10s`, `516.5ms`, `0s`. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${trimFraction(rest)}ms`;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = `${trimFraction(rest / 1000)}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}

function trimFraction(value: number): string {
  return Number(value.toFixed(6)).toString();
}

/**
 * Parses what Vault's `parseutil.ParseDurationSecond` accepts: Go duration strings (`1h30m`,
 * `10s`), bare integers or integer strings (seconds). Returns milliseconds, or null.
 */
export function parseGoDuration(input: unknown): number | null {
  if (typeof input === 'number') return Number.isFinite(input) ? input * 1000 : null;
  if (typeof input !== 'string') return null;
  const text = input.trim();
  if (text === '') return 0;
  if (/^-?\d+$/.test(text)) return Number(text) * 1000;
  const match = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(text);
  if (match === null) return text === '0' ? 0 : null;
  let total = 0;
  for (const part of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(part[1]) * (UNIT_MS[part[2] ?? ''] ?? 0);
  }
  return match[1] === '-' ? -total : total;
}

/** Go's `time.RFC3339Nano` in UTC for an epoch-ms instant: trailing zeros of the fraction dropped. */
export function formatRfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2024-04-29T10:10:43.050Z
  const [main, fraction = ''] = iso.slice(0, -1).split('.');
  const trimmed = fraction.replace(/0+$/, '');
  return trimmed === '' ? `${main}Z` : `${main}.${trimmed}Z`;
}

/** Go's `time.RFC3339` (whole seconds) in UTC. */
export function formatRfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Go's zero `time.Time` as JSON (what `active_time` shows on non-active nodes). */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

const HTML_UNSAFE = /[<>&\u2028\u2029]/;
const HTML_UNSAFE_ALL = /[<>&\u2028\u2029]/g;

/**
 * `json.NewEncoder(w).Encode(v)` output: HTML-significant characters escaped as \u00XX and a
 * trailing newline, as Vault's `respondOk` / `respondError` write it.
 */
export function goJson(value: unknown): string {
  const text = JSON.stringify(value);
  const escaped = HTML_UNSAFE.test(text) ? text.replace(HTML_UNSAFE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : text;
  return `${escaped}\n`;
}
