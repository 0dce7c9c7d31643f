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
  'node.gone',
  // Node discovery.
  'discovery.failed',
  'discovery.node-terminating',
  'discovery.too-many-nodes',
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
  'unseal.rejected',
  'unseal.custody-rejected',
  'unseal.seal-failure',
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
  'sealwatch.cluster-failed',
  'alerts.delivery-failed',
];

const KNOWN = new Set(FINDING_IDS);

export function isKnownFindingId(id: string): boolean {
  return KNOWN.has(id);
}

/** Up to three catalogue ids within a small edit distance of `id` (closest first), for hints. */
export function similarFindingIds(id: string): string[] {
  return FINDING_IDS.map((known) => ({ known, d: distance(id, known) }))
    .filter((c) => c.d <= Math.max(2, Math.floor(id.length / 5)))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((c) => c.known);
}

/** Levenshtein distance (ids are short: the quadratic table is fine). */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= b.length; j += 1) {
      next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length] ?? 0;
}
