import { randomBytes } from 'node:crypto';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll } from 'vitest';
import { createJsmAlertChannel } from '../../shared/adapters/jsm-alert-channel.ts';
import { createOpsgenieAlertChannel } from '../../shared/adapters/opsgenie-alert-channel.ts';
import { createPagerDutyAlertChannel } from '../../shared/adapters/pagerduty-alert-channel.ts';
import { createSlackAlertChannel } from '../../shared/adapters/slack-alert-channel.ts';
import { createSnsAlertChannel } from '../../shared/adapters/sns-alert-channel.ts';
import { createTeamsAlertChannel } from '../../shared/adapters/teams-alert-channel.ts';
import { createWebhookAlertChannel } from '../../shared/adapters/webhook-alert-channel.ts';
import { Secret } from '../../shared/config/secret.ts';
import type { SinkAnswer } from '../support/sink-server.ts';
import { describeAlertChannelContract } from './alert-channel.contract.ts';

// Every channel adapter against its local sink. Answers follow each service's documented shape:
// Slack incoming webhooks answer 200 `ok` and plain-text errors (api.slack.com/messaging/webhooks);
// PagerDuty Events API v2 answers 202 JSON (developer.pagerduty.com, "Send an Alert Event");
// Opsgenie and JSM Ops alert APIs answer 202 "Request will be processed"; Teams Workflows
// webhooks answer 202; SNS Publish answers a Query-protocol XML document
// (docs.aws.amazon.com/sns/latest/api/API_Publish.html).

const json = (status: number, body: unknown): SinkAnswer => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const text = (status: number, body: string): SinkAnswer => ({ status, headers: { 'content-type': 'text/plain' }, body });

const SLACK_PATH = '/services/T0SEALW4TCH/B0ALERTS42/xoxWebhookToken123456789';
describeAlertChannelContract('slack', {
  secrets: ['T0SEALW4TCH', 'B0ALERTS42', 'xoxWebhookToken123456789'],
  accepted: text(200, 'ok'),
  refusal: (echo) => text(400, `invalid_payload ${echo}`),
  overloaded: (echo) => text(503, echo),
  http: true,
  make: (origin, options, secret) => createSlackAlertChannel({ id: 'slack', webhookUrl: secret ?? new Secret(`${origin}${SLACK_PATH}`), ...options }),
});

const ROUTING_KEY = 'R0UT1NGKEYabcdef0123456789abcdef';
describeAlertChannelContract('pagerduty', {
  secrets: [ROUTING_KEY],
  accepted: json(202, { status: 'success', message: 'Event processed', dedup_key: 'x' }),
  refusal: (echo) => json(400, { status: 'invalid event', message: 'Event object is invalid', errors: [echo] }),
  overloaded: (echo) => json(500, { status: 'error', message: echo }),
  http: true,
  make: (origin, options, secret) =>
    createPagerDutyAlertChannel({
      id: 'pd',
      routingKey: secret ?? new Secret(ROUTING_KEY),
      region: 'us',
      url: `${origin}/v2/enqueue`,
      ...options,
    }),
});

const GENIE_KEY = '0f1e2d3c-4b5a-6978-8a9b-genie0key0000';
describeAlertChannelContract('opsgenie', {
  secrets: [GENIE_KEY],
  accepted: json(202, { result: 'Request will be processed', took: 0.3, requestId: 'r-1' }),
  refusal: (echo) => json(422, { message: echo, took: 0.01, requestId: 'r-2' }),
  overloaded: (echo) => json(503, { message: echo }),
  http: true,
  make: (origin, options, secret) =>
    createOpsgenieAlertChannel({ id: 'og', apiKey: secret ?? new Secret(GENIE_KEY), region: 'us', baseUrl: origin, ...options }),
});

const JSM_USER = 'sealwatch-bot@example.com';
const JSM_TOKEN = 'ATATT3xFfGF0jsmApiToken0123456789';
describeAlertChannelContract('jsm', {
  secrets: [JSM_TOKEN, Buffer.from(`${JSM_USER}:${JSM_TOKEN}`).toString('base64')],
  accepted: json(202, { result: 'Request will be processed', requestId: 'r-1' }),
  refusal: (echo) => json(401, { message: echo }),
  overloaded: (echo) => json(502, { message: echo }),
  http: true,
  make: (origin, options, secret) =>
    createJsmAlertChannel({
      id: 'jsm',
      apiUrl: `${origin}/jsm/ops/api/cloud-0001`,
      user: JSM_USER,
      apiToken: secret ?? new Secret(JSM_TOKEN),
      ...options,
    }),
});

const TEAMS_SIG = 'Zk9sWorkflowSasSignature0123456789abcdef';
const TEAMS_PATH = `/workflows/4c1d0e/triggers/manual/paths/invoke?api-version=1&sv=1.0&sig=${TEAMS_SIG}`;
describeAlertChannelContract('teams', {
  secrets: [TEAMS_SIG],
  accepted: { status: 202 },
  refusal: (echo) => json(400, { error: { code: 'InvalidRequestContent', message: echo } }),
  overloaded: (echo) => json(502, { error: { code: 'BadGateway', message: echo } }),
  http: true,
  make: (origin, options, secret) => createTeamsAlertChannel({ id: 'teams', webhookUrl: secret ?? new Secret(`${origin}${TEAMS_PATH}`), ...options }),
});

const WHSEC = `whsec_${randomBytes(32).toString('base64')}`;
describeAlertChannelContract('webhook (Standard Webhooks)', {
  secrets: [WHSEC, WHSEC.slice('whsec_'.length)],
  accepted: { status: 204 },
  refusal: (echo) => text(422, echo),
  overloaded: (echo) => text(503, echo),
  http: true,
  make: (origin, options, secret) =>
    createWebhookAlertChannel({ id: 'hook', url: `${origin}/hooks/sealwatch`, secret: secret ?? new Secret(WHSEC), ...options }),
});

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:vault-alerts';
const SNS_CREDENTIALS = { accessKeyId: 'AKIASEALWATCHTEST01', secretAccessKey: 'sns-test-secret-access-key-0123456789' };
const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const snsError = (status: number, type: string, code: string, echo: string): SinkAnswer => ({
  status,
  headers: { 'content-type': 'text/xml' },
  body: `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${echo}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
});
const snsClients: SNSClient[] = [];
afterAll(() => {
  for (const client of snsClients) client.destroy();
});
describeAlertChannelContract('sns (real @aws-sdk/client-sns, Query protocol)', {
  secrets: [SNS_CREDENTIALS.secretAccessKey],
  accepted: {
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body: `<PublishResponse xmlns="${XMLNS}"><PublishResult><MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult><ResponseMetadata><RequestId>f187a3c1</RequestId></ResponseMetadata></PublishResponse>`,
  },
  refusal: (echo) => snsError(403, 'Sender', 'AuthorizationError', echo),
  overloaded: (echo) => snsError(400, 'Sender', 'Throttling', echo),
  http: false,
  make: (origin, options) => {
    const client = new SNSClient({ region: 'eu-west-1', endpoint: origin, credentials: SNS_CREDENTIALS, maxAttempts: 1 });
    snsClients.push(client);
    return createSnsAlertChannel({ id: 'sns', topicArn: TOPIC, client, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
  },
});
