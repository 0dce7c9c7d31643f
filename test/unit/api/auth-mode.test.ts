import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../shared/adapters/json-logger.ts';
import { createMemoryStateStore } from '../../../shared/adapters/memory-state-store.ts';
import { systemClock } from '../../../shared/adapters/system-clock.ts';
import { createApp, isLoopbackHost, type AppDeps } from '../../../shared/api/create-app.ts';
import { createApiKeyService } from '../../../shared/app/api-keys.ts';
import { createAuditLog } from '../../../shared/app/audit-log.ts';
import { ValidationError } from '../../../shared/errors.ts';

const store = createMemoryStateStore({ clock: systemClock });
const base = { clusters: [], store, logger: silentLogger, version: 't', clock: systemClock, audit: createAuditLog({ store, clock: systemClock }) };
const keys = createApiKeyService({ store, clock: systemClock });

describe('createApp is safe by construction', () => {
  it('authenticates operator routes with api-keys', async () => {
    const app = createApp({ ...base, auth: { mode: 'api-keys', keys } });
    expect((await app.request('/v1/clusters')).status).toBe(401);
    const { key } = await keys.create({ name: 'reader', scopes: ['read'] });
    expect((await app.request('/v1/clusters', { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
  });

  it('opens them only when asked explicitly, for a loopback bind', async () => {
    for (const bind of ['127.0.0.1', 'localhost', '::1', '[::1]', '127.8.9.10', '::ffff:127.0.0.1']) {
      const app = createApp({ ...base, auth: { mode: 'open-loopback-demo', bind } });
      expect((await app.request('/v1/clusters')).status, bind).toBe(200);
    }
  });

  it.each(['0.0.0.0', '::', '', '10.0.0.5', '192.168.1.2', 'example.com', '127.0.0.1.example.com', '1127.0.0.1'])('refuses an open API bound to %j', (bind) => {
    expect(isLoopbackHost(bind)).toBe(false);
    expect(() => createApp({ ...base, auth: { mode: 'open-loopback-demo', bind } })).toThrow(ValidationError);
  });

  it('refuses a missing or unknown auth mode at run time too (callers outside TypeScript)', () => {
    expect(() => createApp({ ...base } as unknown as AppDeps)).toThrow(/needs an auth mode/);
    expect(() => createApp({ ...base, auth: { mode: 'open' } } as unknown as AppDeps)).toThrow(/needs an auth mode/);
    expect(() => createApp({ ...base, auth: { mode: 'api-keys' } } as unknown as AppDeps)).toThrow(/needs an auth mode/);
  });

  it('makes a missing auth mode or audit log a type error', () => {
    // Checked by `npm run typecheck`: each line fails to compile without its directive.
    // @ts-expect-error auth is required
    const noAuth: AppDeps = { ...base };
    const { audit: _audit, ...withoutAudit } = base;
    // @ts-expect-error audit is required
    const noAudit: AppDeps = { ...withoutAudit, auth: { mode: 'api-keys', keys } };
    // @ts-expect-error an open API needs its bind
    const noBind: AppDeps = { ...base, auth: { mode: 'open-loopback-demo' } };
    expect([noAuth, noAudit, noBind]).toHaveLength(3);
  });
});
