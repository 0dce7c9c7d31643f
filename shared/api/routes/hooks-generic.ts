import { decodeWebhookSecret, verifyWebhook } from '../../core/standard-webhooks.ts';
import { NotFoundError } from '../../errors.ts';
import type { ApiApp, RouteDeps } from '../app-deps.ts';
import { HttpError } from '../errors.ts';
import { spend } from '../middleware/rate-limit.ts';
import { GenericHookSchema, parseJsonText, validate } from '../schemas.ts';
import { requireRecovery, runWithinBudget } from './recovery-run.ts';

/**
 * `POST /v1/hooks/generic`: Standard Webhooks signature (±5 min), then the replay cache, then
 * `{cluster, node?, action}`. Nothing is acted on unless all three pass.
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
    // A replay is refused before it can spend the budget of genuine deliveries. (The id is only
    // recorded once the delivery is accepted, so a sender retrying after a 429 is not a replay.)
    if (await deps.replay.seen('webhook', verified.id)) throw new HttpError(409, 'replayed', 'this webhook-id was already received');
    spend(deps.limiter, 'hook:generic', 'webhooks');
    const request = validate(GenericHookSchema, parseJsonText(new TextDecoder().decode(body)), 'webhook body');
    const cluster = deps.clusters.find((x) => x.id === request.cluster);
    if (!cluster) throw new NotFoundError(`no cluster with id "${request.cluster}" is configured`);
    if (request.node !== undefined && !cluster.nodes.some((n) => n.id === request.node)) {
      throw new NotFoundError(`cluster ${cluster.id} has no node "${request.node}"`);
    }
    const recovery = requireRecovery(deps);
    if (!(await deps.replay.firstSight('webhook', verified.id))) {
      throw new HttpError(409, 'replayed', 'this webhook-id was already received');
    }
    const outcome = await runWithinBudget(
      recovery,
      [{ clusterId: cluster.id, action: request.action, trigger: 'webhook', ...(request.node ? { nodeIds: [request.node] } : {}) }],
      deps.hookBudgetMs,
      deps.logger,
    );
    return c.json(outcome, outcome.status === 'accepted' ? 202 : 200);
  });
}
