import type { Secret } from '../config/secret.ts';
import type { AlertChannel } from '../ports/alert-channel.ts';
import { channelHttpDefaults, deliver, resolveSecret, type ChannelHttpOptions } from './alert-http.ts';
import { opsgenieAlias, opsgenieCloseBody, opsgenieCreateBody } from './opsgenie-alert-body.ts';

export const OPSGENIE_API_URL = { us: 'https://api.opsgenie.com', eu: 'https://api.eu.opsgenie.com' } as const;

export interface OpsgenieAlertChannelOptions extends ChannelHttpOptions {
  id: string;
  /** Key of an *API integration* (GenieKey), not an account configuration key. */
  apiKey: Secret;
  region: 'us' | 'eu';
  /** `team:NAME`, `user:EMAIL`, `escalation:NAME`, `schedule:NAME`, or a bare team name. */
  responders?: readonly string[];
  /** Replaces the regional API origin (tests). */
  baseUrl?: string;
}

/**
 * Opsgenie Alert API v2 (supported by Atlassian until 2027-04-05; prefer the JSM channel for new
 * setups). Every kind but resolve creates an alert with `alias` = the dedup key: while that alert
 * is open Opsgenie only bumps its count. Resolve closes it by alias. Writes are asynchronous, so
 * 202 means accepted; 429 and 5xx are retried, other 4xx are permanent.
 */
export function createOpsgenieAlertChannel(options: OpsgenieAlertChannelOptions): AlertChannel {
  const { id, apiKey } = options;
  const http = channelHttpDefaults('opsgenie', id, options);
  const base = (options.baseUrl ?? OPSGENIE_API_URL[options.region]).replace(/\/+$/, '');
  const responders = [...(options.responders ?? [])];
  return {
    id,
    kind: 'opsgenie',
    async send(notification, signal) {
      const key = await resolveSecret(apiKey, 'opsgenie API key');
      if (!key.ok) return key.failure;
      const headers = { authorization: `GenieKey ${key.value}` };
      const context = { ...http, signal, secrets: [key.value] };
      if (notification.kind === 'resolve') {
        const alias = encodeURIComponent(opsgenieAlias(notification));
        return deliver(
          { url: `${base}/v2/alerts/${alias}/close?identifierType=alias`, headers, body: JSON.stringify(opsgenieCloseBody(notification)) },
          context,
        );
      }
      return deliver({ url: `${base}/v2/alerts`, headers, body: JSON.stringify(opsgenieCreateBody(notification, responders)) }, context);
    },
  };
}
