import { SNSClient } from '@aws-sdk/client-sns';
import { createJsmAlertChannel } from '../adapters/jsm-alert-channel.ts';
import { createOpsgenieAlertChannel } from '../adapters/opsgenie-alert-channel.ts';
import { createPagerDutyAlertChannel } from '../adapters/pagerduty-alert-channel.ts';
import { createSlackAlertChannel } from '../adapters/slack-alert-channel.ts';
import { createSnsAlertChannel } from '../adapters/sns-alert-channel.ts';
import { createTeamsAlertChannel } from '../adapters/teams-alert-channel.ts';
import { createWebhookAlertChannel } from '../adapters/webhook-alert-channel.ts';
import type { ChannelConfig } from '../config/types.ts';
import { ValidationError } from '../errors.ts';
import type { AlertChannel } from '../ports/alert-channel.ts';

export interface AlertChannelDeps {
  /** Deadline per delivery attempt (default 10 s). */
  fetchTimeoutMs?: number;
  /** SNS client per region/endpoint; default a cached `SNSClient` with one attempt (the outbox retries). */
  snsClientFor?: (region: string, endpoint?: string) => SNSClient;
  /** Milliseconds since the epoch (webhook timestamps, Retry-After dates). */
  now?: () => number;
  fetch?: typeof fetch;
  /** Origin overrides for the fixed-host providers (tests only). */
  endpoints?: { pagerduty?: string; opsgenie?: string };
}

export interface AlertChannels {
  /** The channel with this config id, or undefined. */
  get(id: string): AlertChannel | undefined;
  all(): AlertChannel[];
  ids(): string[];
  /** Releases the SNS clients this registry created. */
  close(): void;
}

/**
 * The configured on-call channels, built once. Secrets stay `Secret` values inside the adapters
 * and are read at send time, so a rotated SSM / Secrets Manager value is picked up.
 *
 * @throws ValidationError for duplicate ids or options an adapter refuses.
 */
export function createAlertChannels(configs: readonly ChannelConfig[], deps: AlertChannelDeps = {}): AlertChannels {
  const ownedClients = new Map<string, SNSClient>();
  const snsClientFor =
    deps.snsClientFor ??
    ((region: string, endpoint?: string) => {
      const key = `${region} ${endpoint ?? ''}`;
      let client = ownedClients.get(key);
      if (!client) {
        client = new SNSClient({ region, maxAttempts: 1, ...(endpoint ? { endpoint } : {}) });
        ownedClients.set(key, client);
      }
      return client;
    });
  const http = {
    ...(deps.fetchTimeoutMs === undefined ? {} : { timeoutMs: deps.fetchTimeoutMs }),
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  };
  const channels = new Map<string, AlertChannel>();
  for (const config of configs) {
    if (channels.has(config.id)) throw new ValidationError('invalid alert channels', [`channels: duplicate id "${config.id}"`]);
    channels.set(config.id, build(config));
  }

  function build(config: ChannelConfig): AlertChannel {
    const { id } = config;
    switch (config.kind) {
      case 'slack':
        return createSlackAlertChannel({ id, webhookUrl: config.slack.webhookUrl, ...http });
      case 'pagerduty': {
        const url = deps.endpoints?.pagerduty;
        return createPagerDutyAlertChannel({ id, ...config.pagerduty, ...(url ? { url } : {}), ...http });
      }
      case 'opsgenie': {
        const baseUrl = deps.endpoints?.opsgenie;
        const { apiKey, region, responders } = config.opsgenie;
        return createOpsgenieAlertChannel({ id, apiKey, region, ...(responders ? { responders } : {}), ...(baseUrl ? { baseUrl } : {}), ...http });
      }
      case 'jsm': {
        const { apiUrl, user, apiToken, responders } = config.jsm;
        return createJsmAlertChannel({ id, apiUrl, user, apiToken, ...(responders ? { responders } : {}), ...http });
      }
      case 'teams':
        return createTeamsAlertChannel({ id, webhookUrl: config.teams.webhookUrl, ...http });
      case 'webhook':
        return createWebhookAlertChannel({ id, url: config.webhook.url, secret: config.webhook.secret, ...http });
      case 'sns': {
        const { topicArn, region, endpoint } = config.sns;
        const client = snsClientFor(region, endpoint);
        return createSnsAlertChannel({ id, topicArn, client, ...(deps.fetchTimeoutMs === undefined ? {} : { timeoutMs: deps.fetchTimeoutMs }) });
      }
    }
  }

  return {
    get: (id) => channels.get(id),
    all: () => [...channels.values()],
    ids: () => [...channels.keys()],
    close() {
      for (const client of ownedClients.values()) client.destroy();
      ownedClients.clear();
    },
  };
}
