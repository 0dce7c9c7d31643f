import type { AlertRules } from './alert-rules.ts';

const HOUR = 3_600_000;

/** The documented defaults, used for every key of `alerts` (and when `alerts` is absent). */
export const DEFAULT_ALERTS: AlertRules = {
  routes: [],
  openAfter: { critical: 1, warning: 2 },
  resolveAfter: 2,
  remindEveryMs: HOUR,
  giveUpAfterMs: 24 * HOUR,
};

/** `alerts` with defaults filled in; an empty `routes` means every channel, severity ≥ warning. */
export function resolveAlertsConfig(config: AlertRules | undefined): AlertRules {
  if (!config) return DEFAULT_ALERTS;
  return {
    routes: config.routes ?? [],
    openAfter: { ...DEFAULT_ALERTS.openAfter, ...config.openAfter },
    resolveAfter: config.resolveAfter ?? DEFAULT_ALERTS.resolveAfter,
    remindEveryMs: config.remindEveryMs ?? DEFAULT_ALERTS.remindEveryMs,
    giveUpAfterMs: config.giveUpAfterMs ?? DEFAULT_ALERTS.giveUpAfterMs,
  };
}
