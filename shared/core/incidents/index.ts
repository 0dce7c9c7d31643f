export { dedupKeyOf } from './dedup-key.ts';
export { evaluateIncidents, notificationOf } from './evaluate.ts';
export { DEFAULT_ALERTS, resolveAlertsConfig } from './policy.ts';
export { atLeast, routeNotification } from './routing.ts';
export { isSilenced } from './silence.ts';
export type * from './types.ts';
