import { CONFIG_DEFAULTS } from './defaults.ts';
import { optional } from './optional.ts';
import { SNS_TOPIC_ARN } from './patterns.ts';
import type { ValidatedConfig } from './schema.ts';
import type { AlertsConfig, ApiConfig, ChannelConfig, SealwatchConfig } from './types.ts';

type Validated<K extends keyof ValidatedConfig> = NonNullable<ValidatedConfig[K]>;

/**
 * Channels, alerting, API and scale-out settings with their defaults applied. Parsed configs
 * always carry all four (configs built in code may leave them out).
 */
export function buildAlerting(validated: ValidatedConfig): Required<Pick<SealwatchConfig, 'channels' | 'alerts' | 'api' | 'scaleOut'>> {
  const channels = (validated.channels ?? []).map(buildChannel);
  return {
    channels,
    alerts: buildAlerts(validated.alerts, channels),
    api: buildApi(validated.api),
    scaleOut: { clusterThreshold: validated.scaleOut?.clusterThreshold ?? CONFIG_DEFAULTS.scaleOut.clusterThreshold },
  };
}

function buildChannel(channel: Validated<'channels'>[number]): ChannelConfig {
  const { id, slack, pagerduty, opsgenie, jsm, teams, webhook, sns } = channel;
  const region = CONFIG_DEFAULTS.channelRegion;
  const responders = (list: string[] | undefined) => optional('responders', list === undefined ? undefined : [...list]);
  if (slack !== undefined) return { id, kind: 'slack', slack: { webhookUrl: slack.webhookUrl } };
  if (pagerduty !== undefined) {
    return { id, kind: 'pagerduty', pagerduty: { routingKey: pagerduty.routingKey, region: pagerduty.region ?? region } };
  }
  if (opsgenie !== undefined) {
    return {
      id,
      kind: 'opsgenie',
      opsgenie: { apiKey: opsgenie.apiKey, region: opsgenie.region ?? region, ...responders(opsgenie.responders) },
    };
  }
  if (jsm !== undefined) {
    return { id, kind: 'jsm', jsm: { apiUrl: jsm.apiUrl, user: jsm.user, apiToken: jsm.apiToken, ...responders(jsm.responders) } };
  }
  if (teams !== undefined) return { id, kind: 'teams', teams: { webhookUrl: teams.webhookUrl } };
  if (webhook !== undefined) return { id, kind: 'webhook', webhook: { url: webhook.url, secret: webhook.secret } };
  if (sns === undefined) throw new Error(`channel ${id}: validation let a channel without a kind through`);
  // The topic ARN names its region; writing `region` is optional (and checked against it).
  const arnRegion = SNS_TOPIC_ARN.exec(sns.topicArn)?.[1];
  const snsRegion = sns.region ?? arnRegion;
  if (snsRegion === undefined) throw new Error(`channel ${id}: validation let an SNS topic ARN without a region through`);
  return { id, kind: 'sns', sns: { topicArn: sns.topicArn, region: snsRegion, ...optional('endpoint', sns.endpoint) } };
}

function buildAlerts(alerts: ValidatedConfig['alerts'], channels: ChannelConfig[]): AlertsConfig {
  const defaults = CONFIG_DEFAULTS.alerts;
  const routes: AlertsConfig['routes'] =
    alerts?.routes?.map((route) => ({
      channels: [...route.channels],
      minSeverity: route.minSeverity ?? defaults.minSeverity,
      ...optional('clusters', route.clusters === undefined ? undefined : [...route.clusters]),
    })) ??
    // The default route: every channel, warnings and above. None without channels.
    (channels.length === 0 ? [] : [{ channels: channels.map((c) => c.id), minSeverity: defaults.minSeverity }]);
  return {
    routes,
    openAfter: {
      critical: alerts?.openAfter?.critical ?? defaults.openAfter.critical,
      warning: alerts?.openAfter?.warning ?? defaults.openAfter.warning,
    },
    resolveAfter: alerts?.resolveAfter ?? defaults.resolveAfter,
    remindEveryMs: alerts?.remindEvery ?? defaults.remindEveryMs,
    giveUpAfterMs: alerts?.giveUpAfter ?? defaults.giveUpAfterMs,
  };
}

function buildApi(api: ValidatedConfig['api']): ApiConfig {
  const defaults = CONFIG_DEFAULTS.api;
  const am = api?.alertmanager;
  return {
    ...optional(
      'alertmanager',
      am === undefined ? undefined : { token: am.token, clusterLabel: am.clusterLabel ?? defaults.clusterLabel, nodeLabel: am.nodeLabel ?? defaults.nodeLabel },
    ),
    ...optional('webhooks', api?.webhooks === undefined ? undefined : { secret: api.webhooks.secret }),
    dashboard: { enabled: api?.dashboard?.enabled ?? defaults.dashboardEnabled },
    limits: {
      bodyBytes: api?.limits?.bodyBytes ?? defaults.limits.bodyBytes,
      requestsPerMinute: api?.limits?.requestsPerMinute ?? defaults.limits.requestsPerMinute,
      timeoutMs: api?.limits?.timeout ?? defaults.limits.timeoutMs,
    },
  };
}
