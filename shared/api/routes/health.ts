import type { ApiApp, RouteDeps } from '../app-deps.ts';

/** How long readiness waits for the state store before calling it unavailable. */
const STORE_CHECK_MS = 3000;

/**
 * `GET /healthz` is liveness: it answers from memory (the Lambda handler answers it before
 * loading the config). `GET /readyz` is readiness: the config is loaded (or this app would not
 * exist) and the state store answers a read.
 */
export function registerHealthRoutes(app: ApiApp, deps: RouteDeps): void {
  app.get('/healthz', (c) => c.json({ ok: true, version: deps.version }));
  app.get('/readyz', async (c) => {
    const stateStore = await checkStore(deps);
    const ok = stateStore === 'ok';
    return c.json({ ok, version: deps.version, checks: { config: 'ok', stateStore } }, ok ? 200 : 503);
  });
}

async function checkStore(deps: RouteDeps): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`no answer within ${STORE_CHECK_MS} ms`), STORE_CHECK_MS)));
  try {
    // Any key will do: a miss is an answer. Error texts stay in the log, not in the response.
    const read = deps.store.get('READYZ', 'PROBE').then(
      () => 'ok',
      (error: unknown) => {
        deps.logger.error('api.readyz_store_failed', { error });
        return 'unavailable';
      },
    );
    return await Promise.race([read, late]);
  } finally {
    clearTimeout(timer);
  }
}
