// Self-describing JSX settings: tsx and esbuild also compile this file outside this repo's tsconfig
// (the installed CLI runs from any directory; Lambda bundles).
/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { Context, Env, Hono } from 'hono';
import { scopeAllows, type ApiKeyService } from '../../app/api-keys.ts';
import { createAuditLog, type AuditLog } from '../../app/audit-log.ts';
import type { RecoveryRecord } from '../../app/recovery-records.ts';
import type { SweepCluster } from '../../app/sweep-types.ts';
import type { WrapperFacts } from '../../core/custody-analysis.ts';
import type { Clock } from '../../ports/clock.ts';
import type { StateStore } from '../../ports/state-store.ts';
import type { RateLimiter } from '../middleware/rate-limit.ts';
import { BASIC_CHALLENGE, presentedKey } from './dashboard-auth.ts';
import { loadDashboardView } from './dashboard-data.ts';
import { DashboardPage } from './page.tsx';

export interface DashboardOptions {
  /** `api.dashboard.enabled`; false registers nothing, so `GET /` is the API's JSON 404. */
  enabled: boolean;
  clusters: readonly SweepCluster[];
  store: StateStore;
  /**
   * API keys: any live key with the `read` scope (or higher) may see the page. Null serves it
   * without authentication, like the API's operator routes: in-process tests and the demo only.
   */
  keys: Pick<ApiKeyService, 'verify'> | null;
  /** Spends one request of the key's budget per page view (the API's per-key limiter). */
  limiter?: RateLimiter;
  clock: Clock;
  version: string;
  /** Default: the audit log in `store`. */
  audit?: AuditLog;
  /** Recent recoveries (the recovery jobs service); absent: the section says there are none. */
  recoveries?: (limit: number) => Promise<RecoveryRecord[]>;
  /** Seconds between the page's self-refreshes (default 10, 2..3600). */
  refreshSeconds?: number;
  /** `sweep.interval` in ms: the page warns when a cluster's last sweep is older than twice this. Default 60 s. */
  sweepIntervalMs?: number;
  /** Kind and provider of the configured custody wrappers, for the custody warnings (default: none known). */
  wrapperFacts?: () => readonly WrapperFacts[];
}

// The page lists node URLs and incident texts: keep it out of caches and other sites' frames.
const PAGE_HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * Registers the status dashboard at `GET /` on `app`: a server-rendered page (no scripts) of
 * every cluster's line and nodes coloured by state (greyed, under a banner, when the last sweep
 * is stale), open incidents, the last sweep's findings and recent recoveries,
 * reloading itself every `refreshSeconds`. Protected by an API key presented through HTTP Basic
 * auth (see `presentedKey`).
 */
export function mountDashboard<E extends Env>(app: Hono<E>, options: DashboardOptions): void {
  const refreshSeconds = options.refreshSeconds ?? 10;
  if (!Number.isInteger(refreshSeconds) || refreshSeconds < 2 || refreshSeconds > 3600) {
    throw new TypeError('mountDashboard: refreshSeconds must be an integer from 2 to 3600');
  }
  if (!options.store || !options.clock) throw new TypeError('mountDashboard needs a store and a clock');
  if (!options.enabled) return;
  const deps = {
    clusters: options.clusters,
    store: options.store,
    audit: options.audit ?? createAuditLog({ store: options.store, clock: options.clock }),
    sweepIntervalMs: options.sweepIntervalMs ?? 60_000,
    wrapperFacts: options.wrapperFacts ?? (() => []),
    ...(options.recoveries ? { recoveries: options.recoveries } : {}),
  };

  const { keys, limiter } = options;
  app.get('/', async (c) => {
    if (keys) {
      const key = presentedKey(c.req.header('authorization'));
      const info = key === null || key.length > 256 ? null : await keys.verify(key);
      if (!info) return refuse(c, 401, 'An API key is required: enter any user name and the key as password.');
      if (!scopeAllows(info.scopes, 'read')) return refuse(c, 403, 'This API key does not have the read scope.');
      const taken = limiter?.take(`key:${info.id}`) ?? { ok: true };
      if (!taken.ok) return refuse(c, 429, 'Too many requests for this API key; the page retries by itself.', { 'retry-after': String(taken.retryAfterSeconds) });
    }
    const view = await loadDashboardView(deps, options.clock.now());
    return c.html(<DashboardPage view={view} refreshSeconds={refreshSeconds} version={options.version} />, 200, PAGE_HEADERS);
  });
}

function refuse(c: Context, status: 401 | 403 | 429, message: string, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { ...PAGE_HEADERS, ...extra, ...(status === 401 ? { 'www-authenticate': BASIC_CHALLENGE } : {}) };
  return c.html(
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>sealwatch — sign in</title>
      </head>
      <body>
        <h1>sealwatch dashboard</h1>
        <p>{message}</p>
        <p>
          Create a key with <code>sealwatch apikey create --name NAME --scopes read</code>.
        </p>
      </body>
    </html>,
    status,
    headers,
  );
}
