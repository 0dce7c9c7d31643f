import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { describe, expect, it } from 'vitest';
import { toErrorResponse } from '../../../shared/api/errors.ts';
import { publicFailure, PUBLIC_FAILURE_MESSAGES } from '../../../shared/app/public-failure.ts';
import { AccessDeniedError, ConflictError, NotFoundError, type SealwatchError, UnavailableError, ValidationError } from '../../../shared/errors.ts';

/** Answers every request by throwing `error`, through the API's one error mapping. */
async function answer(error: SealwatchError): Promise<{ status: number; body: { error: { code: string; message: string } } }> {
  const app = new Hono();
  app.use(requestId());
  app.get('/x', () => {
    throw error;
  });
  app.onError((e, c) => toErrorResponse(c, e));
  const response = await app.request('/x');
  return { status: response.status, body: (await response.json()) as { error: { code: string; message: string } } };
}

describe('the API maps domain errors to statuses and codes', () => {
  it.each<[string, SealwatchError, number, string]>([
    ['custody exists', new ConflictError('cluster prod already has custody (generation 1)', { reason: 'custody-exists' }), 409, 'custody_exists'],
    [
      'shares of another key',
      new ConflictError('these shares rebuild a different key than the custody of cluster prod', { reason: 'shares-differ' }),
      409,
      'key_changed',
    ],
    ['a partial write', new ConflictError('custody of cluster prod is only partly written', { reason: 'custody-partial' }), 409, 'custody_partial'],
    ['a held lease', new ConflictError('cluster prod is busy; try again shortly', { reason: 'lease-held' }), 409, 'conflict'],
    ['a missing threshold', new ValidationError('the threshold is unknown', ['threshold: missing'], { field: 'threshold' }), 400, 'invalid_input'],
    ['no Vault token', new NotFoundError('no Vault token of cluster prod is in custody', { missing: 'vault-token' }), 404, 'not_found'],
    ['missing AWS credentials', new AccessDeniedError('KMS Decrypt failed: CredentialsProviderError', { reason: 'credentials' }), 403, 'access_denied'],
  ])('%s', async (_label, error, status, code) => {
    const { status: got, body } = await answer(error);
    expect(got).toBe(status);
    expect(body.error.code).toBe(code);
    // A refusal keeps its domain message, and that message names no CLI flag or command.
    expect(body.error.message).toBe(error.message);
    expect(body.error.message).not.toMatch(/--|sealwatch /);
  });

  it('a 5xx carries a fixed text, never the domain message', async () => {
    const { status, body } = await answer(new UnavailableError('no node of cluster prod answered (v0: refused)', { code: 'nodes_unreachable' }));
    expect(status).toBe(503);
    expect(body.error).toEqual({ code: 'unavailable', message: expect.not.stringContaining('v0') });
  });

  it('recovery records tell a lost race from a conflict with stored state', () => {
    expect(publicFailure(new ConflictError('busy', { reason: 'lease-held' }))).toEqual({ code: 'conflict', message: PUBLIC_FAILURE_MESSAGES.conflict });
    expect(publicFailure(new ConflictError('differ', { reason: 'shares-differ' }))).toEqual({
      code: 'key_changed',
      message: PUBLIC_FAILURE_MESSAGES.state_conflict,
    });
  });
});
