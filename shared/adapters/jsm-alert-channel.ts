import type { Secret } from '../config/secret.ts';
import { ValidationError } from '../errors.ts';
import type { AlertChannel, DeliveryResult, Notification } from '../ports/alert-channel.ts';
import { channelHttpDefaults, classifyAnswer, deliver, exchange, resolveSecret, type ChannelHttpOptions, type DeliverContext } from './alert-http.ts';
import { opsgenieAlias, opsgenieCloseBody, opsgenieCreateBody } from './opsgenie-alert-body.ts';

export interface JsmAlertChannelOptions extends ChannelHttpOptions {
  id: string;
  /** The Operations REST API of the site: `https://api.atlassian.com/jsm/ops/api/{cloudId}`. */
  apiUrl: string;
  /** Atlassian account e-mail for basic auth. */
  user: string;
  /** Atlassian API token of that account. */
  apiToken: Secret;
  /** `team:NAME`, `user:EMAIL`, `escalation:NAME`, `schedule:NAME`, or a bare team name. */
  responders?: readonly string[];
}

/** Open alerts looked at per resolve; an alias is unique among open alerts, so one is normal. */
const LOOKUP_SIZE = 20;

/**
 * Jira Service Management Operations alerts (Opsgenie's successor) through the Operations REST
 * API with basic auth (`user:apiToken`). Bodies are Opsgenie's (same fields and limits); alias =
 * dedup key. That API addresses alerts by id only (JSDCLOUD-14179), so a resolve first lists the
 * open alerts with the alias (`status: open AND alias: "…"`) and closes each by id; none open is
 * a delivered no-op, like PagerDuty's resolve of a closed key.
 */
export function createJsmAlertChannel(options: JsmAlertChannelOptions): AlertChannel {
  const { id, user, apiToken } = options;
  const http = channelHttpDefaults('jsm', id, options);
  const problems: string[] = [];
  if (!/^https?:\/\/[^/]+/.test(options.apiUrl ?? '')) problems.push('apiUrl: must be an http(s) URL');
  if (typeof user !== 'string' || user.length === 0) problems.push('user: must be a non-empty string');
  if (problems.length > 0) throw new ValidationError('invalid jsm alert channel options', problems);
  const base = options.apiUrl.replace(/\/+$/, '');
  const responders = [...(options.responders ?? [])];
  return {
    id,
    kind: 'jsm',
    async send(notification, signal) {
      const token = await resolveSecret(apiToken, 'jsm API token');
      if (!token.ok) return token.failure;
      const credentials = Buffer.from(`${user}:${token.value}`, 'utf8').toString('base64');
      const headers = { authorization: `Basic ${credentials}` };
      const context: DeliverContext = { ...http, signal, secrets: [token.value, credentials] };
      if (notification.kind !== 'resolve') {
        return deliver({ url: `${base}/v1/alerts`, headers, body: JSON.stringify(opsgenieCreateBody(notification, responders)) }, context);
      }
      return closeByAlias(base, headers, notification, context);
    },
  };
}

async function closeByAlias(base: string, headers: Record<string, string>, notification: Notification, context: DeliverContext): Promise<DeliveryResult> {
  const alias = opsgenieAlias(notification).replace(/["\\]/g, '\\$&');
  const query = new URLSearchParams({ query: `status: open AND alias: "${alias}"`, offset: '0', size: String(LOOKUP_SIZE) });
  const request = { url: `${base}/v1/alerts?${query}`, method: 'GET' as const, headers: { ...headers, accept: 'application/json' } };
  const lookup = await exchange(request, context);
  if (!lookup.ok || lookup.status < 200 || lookup.status >= 300) return classifyAnswer(lookup, request, context);
  const ids = openAlertIds(lookup.body);
  if (ids === undefined) return { ok: false, retryable: true, status: lookup.status, error: 'alert lookup answered an unexpected body' };
  let last: DeliveryResult = { ok: true, status: lookup.status };
  for (const alertId of ids) {
    last = await deliver(
      { url: `${base}/v1/alerts/${encodeURIComponent(alertId)}/close`, headers, body: JSON.stringify(opsgenieCloseBody(notification)) },
      context,
    );
    if (!last.ok) return last;
  }
  return last;
}

/** Alert ids from a list answer (`values`, or Opsgenie-style `data`); undefined when unreadable. */
function openAlertIds(body: string): string[] | undefined {
  try {
    const parsed = JSON.parse(body) as { values?: unknown; data?: unknown };
    const list = Array.isArray(parsed.values) ? parsed.values : Array.isArray(parsed.data) ? parsed.data : undefined;
    if (!list) return undefined;
    return list
      .map((a) => (a && typeof a === 'object' ? (a as { id?: unknown }).id : undefined))
      .filter((v): v is string => typeof v === 'string' && v.length > 0);
  } catch {
    return undefined;
  }
}
