import { z } from 'zod';
import type { Fields } from './fields.ts';
import { AWS_REGION, AWS_REGION_MESSAGE, LABEL_NAME, SNS_TOPIC_ARN } from './patterns.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;
const MIN_TOKEN_LENGTH = 16;

/**
 * The alerting, API and deployment sections (issues #5-#7). Channel kinds are exactly-one-of and
 * route references must name existing channels and clusters: both checked in `checkRelations`.
 */
export function createAlertingSchemas(f: Fields) {
  const region = z.enum(['us', 'eu'], { error: 'must be us or eu' });
  const responders = z.array(f.nonEmpty(), { error: 'must be a list of responder names' });
  const ids = (what: string) => z.array(f.id(), { error: `must be a list of ${what} ids` }).min(1, `must list at least one ${what} id`);

  const channel = z.strictObject({
    id: f.id(),
    slack: z.strictObject({ webhookUrl: f.secretUrl() }).optional(),
    pagerduty: z.strictObject({ routingKey: f.secret(), region: region.optional() }).optional(),
    opsgenie: z.strictObject({ apiKey: f.secret(), region: region.optional(), responders: responders.optional() }).optional(),
    jsm: z.strictObject({ apiUrl: f.webUrl(), user: f.nonEmpty(), apiToken: f.secret(), responders: responders.optional() }).optional(),
    teams: z.strictObject({ webhookUrl: f.secretUrl() }).optional(),
    webhook: z.strictObject({ url: f.webUrl(), secret: f.webhookSecret() }).optional(),
    sns: z
      .strictObject({
        topicArn: f.matching(SNS_TOPIC_ARN, 'must be an SNS topic ARN like arn:aws:sns:eu-west-1:123456789012:NAME'),
        region: f.matching(AWS_REGION, AWS_REGION_MESSAGE).optional(),
        endpoint: f.endpoint().optional(),
      })
      .optional(),
  });

  const count = () => f.intRange(1, 100);
  const alerts = z.strictObject({
    routes: z
      .array(
        z.strictObject({
          channels: ids('channel'),
          minSeverity: z.enum(['info', 'warning', 'critical'], { error: 'must be one of info, warning, critical' }).optional(),
          clusters: ids('cluster').optional(),
        }),
      )
      .optional(),
    openAfter: z.strictObject({ critical: count().optional(), warning: count().optional() }).optional(),
    resolveAfter: count().optional(),
    remindEvery: f.duration(MINUTE, 7 * DAY).optional(),
    giveUpAfter: f.duration(MINUTE, 7 * DAY).optional(),
  });

  const label = () => f.matching(LABEL_NAME, 'must be a Prometheus label name (letters, digits, _)');
  // The API routes read these when the app is built (reveal()), so no lazy secrets here yet:
  // allow `remote` once they read `await value()` per request.
  const startup = { remote: false } as const;
  const api = z.strictObject({
    alertmanager: z
      .strictObject({
        token: f.secret({
          ...startup,
          check: (value) => (value.length >= MIN_TOKEN_LENGTH ? undefined : `must be at least ${MIN_TOKEN_LENGTH} characters long`),
        }),
        clusterLabel: label().optional(),
        nodeLabel: label().optional(),
      })
      .optional(),
    webhooks: z.strictObject({ secret: f.webhookSecret(startup) }).optional(),
    dashboard: z.strictObject({ enabled: z.boolean().optional() }).optional(),
    limits: z
      .strictObject({
        bodyBytes: f.intRange(1024, 10 * 1024 * 1024).optional(),
        requestsPerMinute: f.intRange(1, 100_000).optional(),
        timeout: f.duration(SECOND, 15 * MINUTE).optional(),
      })
      .optional(),
  });

  const scaleOut = z.strictObject({ clusterThreshold: f.intRange(1, 100_000).optional() });

  return { channel, alerts, api, scaleOut };
}
