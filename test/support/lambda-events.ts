import { createHash, randomUUID } from 'node:crypto';

/**
 * Event payloads as AWS delivers them to Lambda. Shapes follow the AWS Lambda developer guide
 * (API Gateway HTTP API payload format 2.0, "Using Lambda with Amazon SQS", EventBridge
 * "Scheduled Event" and CloudWatch "Alarm State Change" examples).
 */
const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

/** API Gateway HTTP API, payload format version 2.0. */
export function httpApiEvent(request: { method: string; path: string; routeKey?: string; headers?: Record<string, string>; body?: string; query?: string }) {
  const now = Date.now();
  const headers = Object.fromEntries(
    Object.entries({ host: 'abc123.execute-api.eu-west-1.amazonaws.com', 'user-agent': 'harness/1.0', ...request.headers }).map(([k, v]) => [
      k.toLowerCase(),
      v,
    ]),
  );
  return {
    version: '2.0',
    routeKey: request.routeKey ?? `${request.method} ${request.path}`,
    rawPath: request.path,
    rawQueryString: request.query ?? '',
    headers,
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: request.method, path: request.path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.10', userAgent: headers['user-agent'] ?? '' },
      requestId: `${randomUUID().slice(0, 8)}=`,
      routeKey: request.routeKey ?? `${request.method} ${request.path}`,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...(request.body === undefined ? {} : { body: request.body }),
    isBase64Encoded: false,
  };
}

/** What EventBridge Scheduler / a `schedule` rule delivers. */
export function scheduledEvent() {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: ACCOUNT,
    time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    region: REGION,
    resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/sealwatch-dev-sweep`],
    detail: {},
  };
}

/** An SQS event with one record per body (as the event source mapping delivers them). */
export function sqsEvent(bodies: readonly string[], receiveCount = 1) {
  return {
    Records: bodies.map((body) => ({
      messageId: randomUUID(),
      receiptHandle: `AQEB${randomUUID().replace(/-/g, '')}`,
      body,
      attributes: {
        ApproximateReceiveCount: String(receiveCount),
        SentTimestamp: String(Date.now()),
        SenderId: 'AROAEXAMPLE:sealwatch-dev-api',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:sealwatch-dev-work`,
      awsRegion: REGION,
    })),
  };
}

/** A CloudWatch alarm entering ALARM, as EventBridge forwards it. */
export function alarmEvent(alarmName: string, id: string = randomUUID()) {
  const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    version: '0',
    id,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: ACCOUNT,
    time,
    region: REGION,
    resources: [`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${alarmName}`],
    detail: {
      alarmName,
      state: { value: 'ALARM', reason: 'Threshold Crossed: 1 datapoint [0.0] was less than the threshold (1.0).', timestamp: time },
      previousState: { value: 'OK', reason: 'Threshold Crossed', timestamp: time },
      configuration: { description: 'Vault node sealed', metrics: [] },
    },
  };
}

/** A custom `sealwatch.recover` event (`aws events put-events`). */
export function recoverEvent(detail: { cluster: string; node?: string; action?: string }, id: string = randomUUID()) {
  return {
    version: '0',
    id,
    'detail-type': 'sealwatch.recover',
    source: 'ops.runbook',
    account: ACCOUNT,
    time: new Date().toISOString(),
    region: REGION,
    resources: [],
    detail,
  };
}
