import { resolveCustodyPolicy } from '../core/custody-policy.ts';
import { tokenContext } from '../core/custody-types.ts';
import type { VaultAuthConfig } from '../config/types.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { AwsIamLogin } from '../ports/aws-iam-login.ts';
import type { Clock } from '../ports/clock.ts';
import type { KeyWrapper } from '../ports/key-wrapper.ts';
import type { CustodyRepository } from './custody-repository.ts';

/**
 * The wrapper a cluster's token is kept under, by `clusters[].custody`: its `default`, else the
 * wrapper of the lowest share index it lists (share 1's, normally, as for a root token); without
 * a policy the one configured wrapper (several need a policy, as for shares).
 *
 * @throws ValidationError when no wrapper can be chosen.
 */
export function tokenWrapperId(cluster: TokenCluster, wrapperIds: readonly string[]): string {
  const policy = cluster.custody;
  if (policy === undefined) {
    const assignment = resolveCustodyPolicy({ clusterId: cluster.id, policy, wrapperIds, shareCount: 1 });
    return (assignment.shares[0] as { wrapper: string }).wrapper;
  }
  const listed = Object.entries(policy.shares)
    .flatMap(([wrapper, indexes]) => indexes.map((index) => ({ index, wrapper })))
    .sort((a, b) => a.index - b.index);
  const chosen = policy.default ?? listed[0]?.wrapper;
  if (chosen === undefined)
    throw new ValidationError(`the custody policy of cluster ${cluster.id} names no wrapper`, [`clusters[${cluster.id}].custody: empty`]);
  if (!wrapperIds.includes(chosen)) throw new ValidationError(`the custody policy of cluster ${cluster.id} names wrapper "${chosen}", which is not configured`);
  return chosen;
}

/** Name of the custody token item: `TOKEN#control`. */
export const CONTROL_TOKEN = 'control';

/** A cluster as the token source needs it (a `ClusterConfig` fits). */
export interface TokenCluster {
  id: string;
  auth?: VaultAuthConfig;
  custody?: { default?: string; shares: Record<string, readonly number[]> };
}

export interface VaultTokenSourceOptions {
  custody: CustodyRepository;
  /** The configured custody wrappers (the runtime's registry fits). */
  wrappers: { get(id: string): KeyWrapper | undefined; ids(): string[] };
  clock: Clock;
  awsIam?: AwsIamLogin;
  /** How long a custody token is kept in memory before it is unwrapped again (default 5 min). */
  custodyCacheMs?: number;
  /** Renew an IAM token this long before its lease ends (default 60 s, at most half the lease). */
  renewBeforeMs?: number;
}

export interface VaultTokenSource {
  /** The cluster's control token, or null when the cluster has no `auth` configured. */
  tokenFor(cluster: TokenCluster, signal: AbortSignal): Promise<string | null>;
  /** Forgets a cached token (after Vault refused it). */
  invalidate(clusterId: string): void;
  /** The token this process holds in memory for the cluster, if any (for redaction; never unwraps). */
  cached(clusterId: string): string | null;
  /** Wraps `token` with the cluster's custody wrapper and stores it as `TOKEN#control`. */
  store(cluster: TokenCluster, token: string, signal?: AbortSignal): Promise<{ wrapper: string }>;
}

/**
 * Creates the source of Vault tokens for authenticated reads (raft, autopilot) and remove-peer.
 * Tokens live only in memory, until shortly before they expire; in the state store they exist
 * only wrapped. Errors name the cluster and wrapper, never the token.
 */
export function createVaultTokenSource(options: VaultTokenSourceOptions): VaultTokenSource {
  const { custody, wrappers, clock } = options;
  const custodyCacheMs = options.custodyCacheMs ?? 300_000;
  const renewBeforeMs = options.renewBeforeMs ?? 60_000;
  if (!(custodyCacheMs >= 0) || !(renewBeforeMs >= 0)) throw new ValidationError('token cache durations must be ≥ 0');
  const cache = new Map<string, { token: string; until: number }>();

  return {
    async tokenFor(cluster, signal) {
      const auth = cluster.auth;
      if (!auth) return null;
      const cached = cache.get(cluster.id);
      if (cached && cached.until > clock.now()) return cached.token;
      if (auth.kind === 'token') {
        const item = await custody.token(cluster.id, CONTROL_TOKEN);
        if (!item)
          // Kept in the message: it becomes a sweep finding and an alert, read where no CLI hint is shown.
          throw new NotFoundError(`no Vault token of cluster ${cluster.id} is in custody: store one with sealwatch token set --cluster ${cluster.id}`, {
            missing: 'vault-token',
          });
        const wrapper = wrappers.get(item.data.wrapper);
        if (!wrapper) throw new NotFoundError(`the Vault token of cluster ${cluster.id} is wrapped by "${item.data.wrapper}", which is not configured`);
        const plain = await wrapper.unwrap(item.data, tokenContext(cluster.id, CONTROL_TOKEN), signal);
        try {
          const token = new TextDecoder().decode(plain);
          cache.set(cluster.id, { token, until: clock.now() + custodyCacheMs });
          return token;
        } finally {
          plain.fill(0);
        }
      }
      if (!options.awsIam) throw new ValidationError(`cluster ${cluster.id} uses aws-iam auth but no AWS IAM login is available`);
      const login = await options.awsIam(cluster, auth, signal);
      const leaseMs = login.leaseDurationSeconds * 1000;
      // A lease of 0 means the token does not expire (root-like); keep it like a custody token.
      const keepMs = leaseMs === 0 ? custodyCacheMs : Math.max(0, leaseMs - Math.min(renewBeforeMs, leaseMs / 2));
      cache.set(cluster.id, { token: login.token, until: clock.now() + keepMs });
      return login.token;
    },

    invalidate(clusterId) {
      cache.delete(clusterId);
    },

    cached(clusterId) {
      return cache.get(clusterId)?.token ?? null;
    },

    async store(cluster, token, signal) {
      const text = token.trim();
      if (text.length === 0 || /\s/.test(text)) throw new ValidationError('a Vault token is one non-empty word');
      const wrapperId = tokenWrapperId(cluster, wrappers.ids());
      const wrapper = wrappers.get(wrapperId);
      if (!wrapper) throw new NotFoundError(`wrapper "${wrapperId}" is not configured`);
      const plain = new TextEncoder().encode(text);
      try {
        const wrapped = await wrapper.wrap(plain, tokenContext(cluster.id, CONTROL_TOKEN), signal);
        await custody.putToken(cluster.id, CONTROL_TOKEN, wrapped);
      } finally {
        plain.fill(0);
      }
      cache.delete(cluster.id);
      return { wrapper: wrapperId };
    },
  };
}
