/** Defaults for everything optional in `sealwatch.yaml` (documented in the README). */
export const CONFIG_DEFAULTS = {
  statePath: '.sealwatch',
  sweep: { concurrency: 64, nodeTimeoutMs: 3000, intervalSeconds: 60 },
  authMount: 'aws',
  seal: { canary: false },
  storage: { staleLockMs: 60_000, thrashingPerHour: 6, backupBeforeUpgrade: false },
  raft: { autoJoin: false, minQuorum: 3 },
  checks: { certExpiryDays: 14, keyExpiryDays: 30 },
  channelRegion: 'us',
  alerts: {
    minSeverity: 'warning',
    openAfter: { critical: 1, warning: 2 },
    resolveAfter: 2,
    remindEveryMs: 3_600_000,
    giveUpAfterMs: 86_400_000,
  },
  api: {
    clusterLabel: 'vault_cluster',
    nodeLabel: 'instance',
    dashboardEnabled: true,
    limits: { bodyBytes: 262_144, requestsPerMinute: 120, timeoutMs: 25_000 },
  },
  scaleOut: { clusterThreshold: 50 },
  discovery: { goneAfterSweeps: 3, timeoutMs: 5000 },
} as const;
