/**
 * Every finding id sealwatch can raise, in one place: silences and the API validate finding ids
 * against it (a typo in `--finding` would otherwise silence nothing, silently), and a test checks
 * that every id the code raises and the README documents is listed here.
 */

/** Key-check suffixes shared by `seal.*` (the auto-unseal key) and `custody.*` (custody keys). */
const KEY_CHECKS = [
  'key-disabled',
  'key-pending-deletion',
  'key-pending-import',
  'key-unavailable',
  'key-transitional',
  'key-unsuitable',
  'key-expired',
  'key-expiring',
  'key-not-yet-valid',
  'key-ops-missing',
  'key-purgeable',
  'key-not-found',
  'key-access-denied',
  'key-unreachable',
  'key-rotation',
  'key-problem',
  'canary-failed',
] as const;

export const FINDING_IDS: readonly string[] = [
  // Node states (derived by the alerting layer) and node checks.
  'node.sealed',
  'node.unreachable',
  'node.unsealed',
  'node.ha-unhealthy',
  'node.removed',
  'node.uninitialized',
  'node.cert-expiring',
  // Cluster shape.
  'cluster.no-active',
  'cluster.split-brain',
  'cluster.version-skew',
  'cluster.upgrade-order',
  // Raft (with `auth`).
  'raft.autopilot-unhealthy',
  'raft.failure-tolerance',
  'raft.dead-peer',
  'raft.stuck-non-voter',
  'raft.unknown-member',
  'raft.missing-member',
  'raft.autopilot-config',
  'raft.node-joined',
  'raft.join-failed',
  'raft.peer-removed',
  'raft.remove-failed',
  'raft.removal-held',
  'auth.ca-required',
  // Unseal outcomes.
  'unseal.wrong-key',
  'unseal.custody-inconsistent',
  'unseal.custody-mismatch',
  'unseal.tls-refused',
  'unseal.tls-unpinned',
  'unseal.insecure-http',
  'unseal.insufficient-shares',
  'unseal.transient-failure',
  'unseal.contended',
  // Custody.
  'custody.wrapper-failed',
  'custody.wrapper-unavailable',
  'custody.threshold-unreachable',
  'custody.single-provider-compromise',
  'custody.no-outage-tolerance',
  ...KEY_CHECKS.map((suffix) => `custody.${suffix}`),
  // The auto-unseal key and seal backends.
  ...KEY_CHECKS.map((suffix) => `seal.${suffix}`),
  'seal.backend-unhealthy',
  // Vault's DynamoDB storage.
  'storage.table-missing',
  'storage.table-inaccessible-encryption',
  'storage.table-archived',
  'storage.table-not-active',
  'storage.table-schema',
  'storage.sse-off',
  'storage.deletion-protection-off',
  'storage.low-capacity',
  'storage.pitr-off',
  'storage.lock-stuck',
  'storage.lock-missing',
  'storage.lock-thrashing',
  'storage.backup-old',
  'storage.backup-created',
  'storage.backup-failed',
  'storage.check-failed',
  // sealwatch itself.
  'sealwatch.inspector-failed',
  'alerts.delivery-failed',
];

const KNOWN = new Set(FINDING_IDS);

export function isKnownFindingId(id: string): boolean {
  return KNOWN.has(id);
}

/** Up to three catalogue ids that look like `id` (same prefix or sharing its last part), for hints. */
export function similarFindingIds(id: string): string[] {
  const [prefix = '', rest = ''] = id.split('.', 2);
  return FINDING_IDS.filter((known) => known.startsWith(`${prefix}.`) && (rest === '' || known.includes(rest.split('-')[0] ?? rest))).slice(0, 3);
}
