import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { httpApiEvent } from '../../support/lambda-events.ts';
import { invoke, invokeClean } from '../../support/lambda-harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: Lambda handlers of every event type, called as the runtime calls them
type Fn = (event: any, context: any) => Promise<any>;

// The api Lambda with a config that cannot load: liveness still answers (it never loads the
// config), readiness says why it is not ready, and every other route fails the invocation.
describe('api Lambda probes with a broken config', () => {
  let api: Fn;
  const options = { functionName: 'sealwatch-dev-api', timeoutMs: 29_000 };

  beforeAll(async () => {
    vi.stubEnv('SEALWATCH_CONFIG', '/nonexistent/sealwatch.yaml');
    vi.stubEnv('SEALWATCH_LOG_LEVEL', 'silent');
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    ({ handler: api } = await import('../../../functions/api/handler.ts'));
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('GET /healthz answers 200 without loading the config', async () => {
    const res = await invokeClean(api, httpApiEvent({ method: 'GET', path: '/healthz' }), options);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true, version: expect.any(String) });
  });

  it('GET /readyz answers 503 naming the failed check, without the error text', async () => {
    const res = await invokeClean(api, httpApiEvent({ method: 'GET', path: '/readyz' }), options);
    expect(res.statusCode).toBe(503);
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({ ok: false, checks: { config: expect.stringContaining('invalid') } });
    expect(res.body).not.toContain('/nonexistent');
  });

  it('any other route fails the invocation (the error alarm counts it), leaving nothing pending', async () => {
    const run = await invoke(api, httpApiEvent({ method: 'GET', path: '/v1/clusters' }), options);
    expect(run.error).toBeInstanceOf(Error);
    expect(String((run.error as Error).message)).toMatch(/does not exist/);
    expect(run.pending).toEqual([]);
  });
});
