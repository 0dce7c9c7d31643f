import type { Hono } from 'hono';
import type { ApiKeyInfo, ApiKeyService } from '../app/api-keys.ts';
import type { AuditLog } from '../app/audit-log.ts';
import type { Metrics } from '../app/metrics.ts';
import type { Idempotency } from '../app/idempotency.ts';
import type { RecoveryJobs } from '../app/recovery-jobs.ts';
import type { SilenceStore } from '../app/silences.ts';
import type { SweepCluster } from '../app/sweep-types.ts';
import type { ApiConfig } from '../config/types.ts';
import type { WrapperFacts } from '../core/custody-analysis.ts';
import type { Clock } from '../ports/clock.ts';
import type { Logger } from '../ports/logger.ts';
import type { StateStore } from '../ports/state-store.ts';
import type { ApiLimits } from './middleware/limits.ts';
import type { RateLimiter } from './middleware/rate-limit.ts';

/** Reads and acknowledges incidents for `/v1/incidents` (the incident service implements it). */
export interface IncidentReader {
  /** `open`: open incidents; `all`: open and pending conditions. */
  list(filter: { cluster?: string; status: 'open' | 'all'; limit: number }): Promise<readonly object[]>;
  /** NotFoundError when no open incident has that dedup key. */
  acknowledge(input: { dedupKey: string; by: string; comment?: string }): Promise<object>;
}

/** Maintenance silences for `/v1/silences` (the silence store implements it). */
export type SilenceService = Pick<SilenceStore, 'add' | 'list' | 'remove'>;

export type ApiEnv = { Variables: { requestId: string; apiKey: ApiKeyInfo | null } };
export type ApiApp = Hono<ApiEnv>;

/**
 * How the operator routes authenticate; there is no default. `api-keys`: every operator route
 * needs a key with its scope (`serve`, the Lambda). `open-loopback-demo`: no authentication at
 * all, allowed only when the server listens on a loopback address (`bind`), for the simulated
 * demo and in-process tests; `createApp` refuses it on any other address.
 */
export type ApiAuth = { mode: 'api-keys'; keys: ApiKeyService } | { mode: 'open-loopback-demo'; bind: string };

export interface AppDeps {
  clusters: readonly SweepCluster[];
  store: StateStore;
  logger: Logger;
  version: string;
  /** The runtime's clock (injected: the API never picks an adapter itself). */
  clock: Clock;
  /** Hook credentials and limits (`api:` in the config). Hooks are off without their secrets. */
  api?: ApiConfig;
  /**
   * Targeted sweeps and unseals that answer within the request or are handed to the worker
   * (`createRecoveryJobs`); without it the recovery routes and hooks answer `not_configured`.
   */
  jobs?: RecoveryJobs;
  /** Required: leaving authentication out is a type error, not an open API. */
  auth: ApiAuth;
  /** Required: every operator action is audited, so there is no silent default. */
  audit: AuditLog;
  incidents?: IncidentReader;
  silences?: SilenceService;
  /** `sweep.interval` in ms: a cluster whose last sweep is older than twice this is stale. Default 60 s. */
  sweepIntervalMs?: number;
  /** Kind and provider of the configured custody wrappers (the dashboard's custody warnings). */
  wrapperFacts?: () => readonly WrapperFacts[];
  /** Serves `GET /metrics` and counts requests when given (the local server). */
  metrics?: Metrics;
  /** Hook deliveries already handled (default: records in `store`). */
  idempotency?: Idempotency;
  /** Mounts more routes (the dashboard) after the API's own, before the 404 fallback. */
  extraRoutes?: (app: ApiApp) => void;
}

/** AppDeps with every default applied, as the route modules receive them. */
export interface RouteDeps {
  clusters: readonly SweepCluster[];
  store: StateStore;
  logger: Logger;
  version: string;
  clock: Clock;
  api: ApiConfig | undefined;
  limits: ApiLimits;
  /** Longest a route waits for a recovery before handing it to the worker (`accepted`). */
  hookBudgetMs: number;
  jobs: RecoveryJobs | null;
  apiKeys: ApiKeyService | null;
  audit: AuditLog;
  incidents: IncidentReader | null;
  silences: SilenceService | null;
  sweepIntervalMs: number;
  wrapperFacts: () => readonly WrapperFacts[];
  metrics: Metrics | null;
  idempotency: Idempotency;
  limiter: RateLimiter;
}
