const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a Go duration string as Vault prints it (`24h0m0s`, `516.49595ms`, `0s`) into ms;
 * null when it is not one. Bare integers are seconds (Vault accepts them on write).
 */
export function parseGoDuration(text: string): number | null {
  const s = text.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
    matched = re.lastIndex;
  }
  return matched === s.length && matched > 0 ? total : null;
}
