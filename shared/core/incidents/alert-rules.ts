import type { Severity } from '../finding.ts';

/** The `alerts:` rules (config keys of the same names, durations in ms), as the incident logic reads them. */
export interface AlertRules {
  /** Which channels get which notifications; default: every channel, severity ≥ warning. */
  routes: { channels: string[]; minSeverity: Severity; clusters?: string[] }[];
  /** Consecutive observations before an incident opens (default critical 1, warning 2). */
  openAfter: { critical: number; warning: number };
  /** Consecutive healthy observations before it resolves (default 2). */
  resolveAfter: number;
  /** Re-notify open critical incidents this often (default 1h). */
  remindEveryMs: number;
  /** Stop retrying a delivery after this long and raise a finding (default 24h). */
  giveUpAfterMs: number;
}
