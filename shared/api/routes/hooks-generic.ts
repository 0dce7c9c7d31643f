import { decodeWebhookSecret, verifyWebhook } from '../../core/standard-webhooks.ts';
import { NotFoundError } from '../../errors.ts';
import type { ApiApp, RouteDeps } from '../app-deps.ts';
import { HttpError } from '../errors.ts';
import { spend } from '../middleware/rate-limit.ts';
import { GenericHookSchema, parseJsonText, validate } from '../schemas.ts';
import { idempotentAnswer, invocationEnd, requireJobs, startRecovery, startStatus } from './recovery-run.ts';

/**
 * `POST /v1/hooks/generic`: Standard Webhooks signature (±5 min), then the delivery's
 * idempotency record (`webhook-id`), then `{cluster, node?, action}`. Nothing is acted on unless
 * all three pass; a resend of a handled delivery gets the same answer and does nothing.
 */
export function registerGenericHook(app: ApiApp, deps: RouteDeps): void {
  const secret = deps.api?.webhooks?.secret;
  const key = secret ? decodeWebhookSecret(secret.reveal()) : null;
  if (secret && !key) deps.logger.error('api.webhook_secret_invalid', { hint: 'api.webhooks.secret must be whsec_<base64>' });

  app.post('/v1/hooks/generic', async (c) => {
    if (!key) throw new HttpError(404, 'not_configured', 'the generic webhook is not configured (api.webhooks.secret)');
    const body = new Uint8Array(await c.req.arrayBuffer());
    const verified = verifyWebhook({
      key,
      headers: {
        id: c.req.header('webhook-id') ?? c.req.header('svix-id'),
        timestamp: c.req.header('webhook-timestamp') ?? c.req.header('svix-timestamp'),
        signature: c.req.header('webhook-signature') ?? c.req.header('svix-signature'),
      },
      body,
      nowMs: deps.clock.now(),
    });
    // Unsigned floods spend no budget, so they cannot lock genuine senders out; guessing the key
    // is hopeless since keys are at least 24 random bytes (decodeWebhookSecret).
    if (!verified.ok) throw new HttpError(401, verified.code, verified.message);
    const text = new TextDecoder().decode(body);
    // A resend is answered before it can spend the budget of genuine deliveries. (The id is only
    // claimed once the delivery is accepted, so a sender retrying after a 429 is not a resend.)
    const seen = await deps.idempotency.peek('webhook', verified.id, text);
    if (seen.kind !== 'run') return idempotentAnswer(c, deps, seen);
    spend(deps.limiter, 'hook:generic', 'webhooks');
    const request = validate(GenericHookSchema, parseJsonText(text), 'webhook body');
    const cluster = deps.clusters.find((x) => x.id === request.cluster);
    if (!cluster) throw new NotFoundError(`no cluster with id "${request.cluster}" is configured`);
    if (request.node !== undefined && !cluster.nodes.some((n) => n.id === request.node)) {
      throw new NotFoundError(`cluster ${cluster.id} has no node "${request.node}"`);
    }
    requireJobs(deps);
    const decision = await deps.idempotency.run({ namespace: 'webhook', key: verified.id, payload: text, deadlineMs: invocationEnd(c, deps) }, async () => {
      const start = await startRecovery(c, deps, 'webhook', [
        { clusterId: cluster.id, action: request.action, ...(request.node ? { nodeIds: [request.node] } : {}) },
      ]);
      return { status: startStatus(start), body: start };
    });
    return idempotentAnswer(c, deps, decision);
  });
}
