import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../shared/api/openapi/operations.ts';
import { readZip } from '../support/zip-reader.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'sealwatch-package-'));

// Stage params as a deployment would pass them, with a bundled config that names every kind of
// resource the IAM statements derive from (so every optional statement is present).
const CONFIG = 'test/fixtures/config/lambda-package.yaml';
const PARAMS = {
  configFile: CONFIG,
  subnetIds: 'subnet-0aaa,subnet-0bbb',
  securityGroupIds: 'sg-0ccc',
  staleSweepMinutes: '7',
  alarmEmail: 'oncall@example.com',
  alarmHttpsEndpoint: 'https://events.pagerduty.com/integration/abc/enqueue',
  // Given by hand and naming what the config names: accepted (contradictions are refused below).
  clusterIds: 'prod-us,prod-eu',
};
// What infra/deploy-params.cjs derives from CONFIG (ARNs the config does not spell out are the
// stack's own account and partition, filled in by Fn::Sub).
const DERIVED = {
  clusterIds: 'prod-eu,prod-us',
  sealKeyArns:
    'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab,arn:${AWS::Partition}:kms:us-east-1:${AWS::AccountId}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
  vaultTableArns: 'arn:${AWS::Partition}:dynamodb:eu-west-1:${AWS::AccountId}:table/vault-data',
  alertTopicArns: 'arn:aws:sns:eu-west-1:111122223333:vault-alerts',
  secretArns: 'arn:${AWS::Partition}:secretsmanager:eu-west-1:${AWS::AccountId}:secret:sealwatch/slack-??????',
  ssmParameterArns: 'arn:${AWS::Partition}:ssm:eu-west-1:${AWS::AccountId}:parameter/sealwatch/pagerduty',
  eksClusterArns: 'arn:${AWS::Partition}:eks:eu-west-1:${AWS::AccountId}:cluster/vault-eks',
  ec2DiscoveryRegions: 'us-east-1',
  autoScalingDiscoveryRegions: 'us-east-1',
};
const OSLS_ENV = { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'sealwatch-none', SLS_TELEMETRY_DISABLED: '1' };
const FUNCTIONS = ['api', 'events', 'sweep', 'worker'] as const;
type Fn = (typeof FUNCTIONS)[number];

/** The text of a bundle's entry file and every chunk it imports statically (what a cold start parses). */
function staticClosure(files: Map<string, Buffer>, entry: string): string {
  const seen = new Set<string>();
  const queue = [entry];
  let text = '';
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = files.get(file)?.toString('utf8') ?? '';
    text += code;
    const dir = file.slice(0, file.lastIndexOf('/'));
    // Static imports only (`from"./x.mjs"`, `import"./x.mjs"`); `import("./x.mjs")` is lazy.
    for (const m of code.matchAll(/(?:from|import)\s*["']\.\/([^"']+\.mjs)["']/g)) queue.push(`${dir}/${m[1]}`);
  }
  return text;
}

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation is untyped JSON
type Json = any; // CloudFormation is untyped JSON; each test checks the shape it reads.
interface Resource {
  Type: string;
  Properties: Json;
  DeletionPolicy?: string;
}
let template: { Resources: Record<string, Resource>; Conditions: Record<string, Json> };

// `npm run package` must work offline: osls + serverless-esbuild with no AWS credentials.
describe('serverless package (osls, offline)', () => {
  beforeAll(async () => {
    const env = { ...process.env, ...OSLS_ENV, SEALWATCH_ESBUILD_WORK_FOLDER: `.esbuild/package-test-${process.pid}` };
    const params = Object.entries(PARAMS).map(([k, v]) => `--param=${k}=${v}`);
    await promisify(execFile)(join(root, 'node_modules/.bin/osls'), ['package', '--package', out, ...params], { cwd: root, env, timeout: 150_000 });
    template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
  }, 180_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
  const fnResource = (name: Fn) => template.Resources[`${name[0]?.toUpperCase()}${name.slice(1)}LambdaFunction`] as Resource;
  const roleOf = (name: Fn): string => fnResource(name).Properties.Role['Fn::GetAtt'][0];
  /** A role's statements with `Fn::If` resolved as the given params make it (every condition true). */
  const statements = (roleId: string): Json[] =>
    template.Resources[roleId]!.Properties.Policies.flatMap((p: Json) => p.PolicyDocument.Statement).map((s: Json) => {
      if (!s['Fn::If']) return s;
      const [condition, yes] = s['Fn::If'];
      expect(template.Conditions[condition], `condition ${condition}`).toBeDefined();
      return yes;
    });
  const actionsOf = (s: Json): string[] => [s.Action].flat();
  const split = (text: string) => ({ 'Fn::Split': [',', text] });
  const splitSub = (text: string) => ({ 'Fn::Split': [',', { 'Fn::Sub': text }] });

  it('builds one zip per function, each within the 1.5 MB budget, with the config and without local-only code', () => {
    const zips = readdirSync(out)
      .filter((f) => f.endsWith('.zip'))
      .sort();
    expect(zips).toEqual(FUNCTIONS.map((f) => `${f}.zip`));
    for (const zip of zips) {
      const bytes = readFileSync(join(out, zip));
      expect(statSync(join(out, zip)).size).toBeLessThanOrEqual(1_572_864);
      const files = readZip(bytes);
      expect([...files.keys()].sort()).toContain(CONFIG);
      expect([...files.keys()].some((f) => f.endsWith('.map'))).toBe(false);
      const code = [...files.entries()]
        .filter(([f]) => f.endsWith('.mjs'))
        .map(([, b]) => b.toString('utf8'))
        .join('\n');
      expect(code.length).toBeGreaterThan(10_000);
      // No inline source map, no simulator, no dynalite (LevelDB) code in a Lambda.
      expect(code).not.toContain('sourceMappingURL=data:');
      expect(code).not.toMatch(/simulated|sim-cluster-/i);
      expect(code).not.toContain('leveldown');
      // Code splitting keeps rarely used SDKs out of the entry file: the Azure SDK and the SQS
      // client are parsed only when first imported (README "Cold start budget").
      const name = zip.replace(/\.zip$/, '');
      const entry = staticClosure(files, `functions/${name}/handler.mjs`);
      expect(entry.length).toBeGreaterThan(10_000);
      expect(code).toContain('DefaultAzureCredential');
      expect(entry).not.toContain('DefaultAzureCredential');
      expect(entry).not.toContain('SendMessageBatch');
      // Each zip ships its own function's chunks only.
      expect([...files.keys()].filter((f) => f.startsWith('functions/') && !f.startsWith(`functions/${name}/`))).toEqual([]);
    }
  });

  it('runs every function on nodejs22.x arm64, inside the configured VPC, with only references in its environment', () => {
    expect(ofType('AWS::Lambda::Function')).toHaveLength(FUNCTIONS.length);
    for (const name of FUNCTIONS) {
      const p = fnResource(name).Properties;
      expect(p.Runtime).toBe('nodejs22.x');
      expect(p.Architectures).toEqual(['arm64']);
      expect(p.VpcConfig).toEqual({ SubnetIds: split(PARAMS.subnetIds), SecurityGroupIds: split(PARAMS.securityGroupIds) });
      const env = p.Environment.Variables as Record<string, Json>;
      // The worker is the only function that never sends to the work queue.
      const expected = [
        'SEALWATCH_CONFIG',
        'SEALWATCH_CUSTODY_KEY_ARN',
        'SEALWATCH_LOG_LEVEL',
        'SEALWATCH_STATE_TABLE',
        ...(name === 'worker' ? [] : ['SEALWATCH_WORK_QUEUE_URL']),
      ];
      expect(Object.keys(env).sort()).toEqual(expected.sort());
      expect(env.SEALWATCH_CONFIG).toBe(CONFIG);
      if (name !== 'worker') expect(env.SEALWATCH_WORK_QUEUE_URL).toEqual({ Ref: 'WorkQueue' });
      expect(env.SEALWATCH_STATE_TABLE).toEqual({ Ref: 'StateTable' });
      expect(env.SEALWATCH_CUSTODY_KEY_ARN).toEqual({ 'Fn::GetAtt': ['CustodyKey', 'Arn'] });
      expect(p.Timeout).toBeLessThanOrEqual(name === 'api' ? 29 : 60);
    }
  });

  it('schedules the sweep every minute through EventBridge Scheduler, one at a time, never replayed', () => {
    const schedules = ofType('AWS::Scheduler::Schedule').map(([, r]) => r.Properties);
    expect(schedules).toHaveLength(1);
    expect(schedules[0].ScheduleExpression).toBe('rate(1 minute)');
    expect(schedules[0].Target.Arn).toEqual({ 'Fn::GetAtt': ['SweepLambdaFunction', 'Arn'] });
    expect(schedules[0].Target.RoleArn).toEqual({ 'Fn::GetAtt': ['SchedulerRole', 'Arn'] });
    expect(fnResource('sweep').Properties.ReservedConcurrentExecutions).toBe(1);
    const invokeConfig = template.Resources.SweepLambdaEvConf!.Properties;
    expect(invokeConfig.MaximumRetryAttempts).toBe(0);
    // The scheduler's own role may invoke the sweep function and nothing else.
    const scheduler = statements('SchedulerRole');
    expect(scheduler.flatMap(actionsOf)).toEqual(['lambda:InvokeFunction']);
    expect(JSON.stringify(scheduler[0].Resource)).toMatch(/function:sealwatch-dev-sweep/);
  });

  it('routes the HTTP API to the api function: every described operation but /metrics', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route')
      .map(([, r]) => r.Properties.RouteKey)
      .sort();
    expect(routes).toEqual(
      [
        'GET /',
        'GET /healthz',
        'GET /readyz',
        'GET /v1/audit',
        'GET /v1/clusters',
        'GET /v1/clusters/{id}',
        'GET /v1/incidents',
        'GET /v1/openapi.json',
        'GET /v1/recoveries/{id}',
        'GET /v1/silences',
        'DELETE /v1/silences/{id}',
        'POST /v1/clusters/{id}/recover',
        'POST /v1/clusters/{id}/sweep',
        'POST /v1/hooks/alertmanager',
        'POST /v1/hooks/generic',
        'POST /v1/incidents/{key}/ack',
        'POST /v1/silences',
      ].sort(),
    );
    // A route added to the API (described in operations.ts) must be routed on AWS too.
    expect(routes).toEqual(
      OPERATIONS.filter((op) => op.path !== '/metrics')
        .map((op) => `${op.method.toUpperCase()} ${op.path}`)
        .sort(),
    );
  });

  it('routes recovery events (sealwatch.recover, alarms, Auto Scaling launches) to the events function', () => {
    const rules = ofType('AWS::Events::Rule').map(([, r]) => r.Properties);
    expect(rules).toHaveLength(3);
    for (const rule of rules) expect(rule.Targets[0].Arn).toEqual({ 'Fn::GetAtt': ['EventsLambdaFunction', 'Arn'] });
    const patterns = rules.map((r) => r.EventPattern);
    expect(patterns).toContainEqual({ 'detail-type': ['sealwatch.recover'] });
    expect(patterns).toContainEqual(
      expect.objectContaining({ source: ['aws.cloudwatch'], detail: { alarmName: [{ prefix: 'sealwatch/' }], state: { value: ['ALARM'] } } }),
    );
    expect(patterns).toContainEqual(expect.objectContaining({ source: ['aws.autoscaling'] }));
  });

  it('declares the state table with pk/sk, on-demand billing, PITR, SSE-KMS, TTL and deletion protection', () => {
    const [[, table] = []] = ofType('AWS::DynamoDB::Table');
    const p = table!.Properties;
    expect(p.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(p.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    expect(p.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
    expect(p.DeletionProtectionEnabled).toBe(true);
    expect(table!.DeletionPolicy).toBe('Retain');
  });

  it('declares the custody key: rotated, retained, crypto use only for sealwatch contexts of the configured clusters', () => {
    const key = template.Resources.CustodyKey!;
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const policy = key.Properties.KeyPolicy.Statement as Json[];
    for (const s of policy) {
      // A key policy's "*" resource is the key itself; its principal is this account only.
      expect(s.Resource).toBe('*');
      expect(JSON.stringify(s.Principal)).toContain(':root');
      const actions = actionsOf(s);
      expect(actions).not.toContain('kms:*');
      if (actions.some((a) => /^kms:(Encrypt|Decrypt|ReEncrypt|GenerateDataKey)/.test(a))) {
        expect(s.Condition.StringEquals['kms:EncryptionContext:service']).toBe('sealwatch');
        expect(s.Condition.StringEquals['kms:EncryptionContext:cluster']).toEqual(split(DERIVED.clusterIds));
      }
    }
    expect(policy.flatMap(actionsOf)).toContain('kms:Decrypt');
  });

  it('has no IAM statement with Action "*" and an unscoped "*" resource only where AWS requires it (commented)', () => {
    const allowedStar: Record<string, RegExp> = {
      VpcNetworkInterfaces: /^ec2:/,
      VaultTableBackupList: /^dynamodb:ListBackups$/,
      Ec2Discovery: /^ec2:DescribeInstances$/,
      AutoScalingDiscovery: /^autoscaling:DescribeAutoScalingGroups$/,
    };
    const infraText = readdirSync(join(root, 'infra'))
      .filter((f) => f.endsWith('.yml'))
      .map((f) => readFileSync(join(root, 'infra', f), 'utf8'))
      .join('\n');
    for (const [roleId] of ofType('AWS::IAM::Role')) {
      for (const s of statements(roleId)) {
        for (const action of actionsOf(s)) expect(action, `${roleId}/${s.Sid}`).not.toMatch(/(^\*$|:\*$)/);
        if ([s.Resource].flat().includes('*')) {
          expect(Object.keys(allowedStar), `${roleId}/${s.Sid} uses Resource "*"`).toContain(s.Sid);
          for (const action of actionsOf(s)) expect(action).toMatch(allowedStar[s.Sid]!);
          // The YAML says why, right above the statement.
          const at = infraText.indexOf(`Sid: ${s.Sid}`);
          expect(infraText.slice(Math.max(0, at - 400), at)).toMatch(/AWS requires "Resource": "\*"/);
        }
      }
    }
  });

  it('conditions every KMS Encrypt/Decrypt on the sealwatch encryption context', () => {
    let seen = 0;
    for (const [roleId] of ofType('AWS::IAM::Role')) {
      for (const s of statements(roleId)) {
        if (!actionsOf(s).some((a) => /^kms:(Encrypt|Decrypt|ReEncrypt|GenerateDataKey)/.test(a))) continue;
        seen += 1;
        expect(s.Condition.StringEquals['kms:EncryptionContext:service'], `${roleId}/${s.Sid}`).toBe('sealwatch');
        // Custody: the configured clusters; seal canary: a purpose no Vault ciphertext has.
        const ctx = s.Condition.StringEquals;
        if (s.Sid === 'CustodyDecrypt') expect(ctx['kms:EncryptionContext:cluster']).toEqual(split(DERIVED.clusterIds));
        else expect(ctx['kms:EncryptionContext:purpose']).toBe('seal-canary');
        // DescribeKey cannot be context-conditioned, so it never shares a statement with crypto.
        expect(actionsOf(s)).not.toContain('kms:DescribeKey');
      }
    }
    expect(seen).toBeGreaterThanOrEqual(2 * FUNCTIONS.length);
  });

  it('gives each function its own role with exactly what that function calls', () => {
    const roles = FUNCTIONS.map(roleOf);
    expect(new Set(roles).size).toBe(FUNCTIONS.length);
    const common = [
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'ec2:CreateNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:GetKeyRotationStatus',
      'kms:Encrypt',
      'dynamodb:DescribeTable',
      'dynamodb:DescribeContinuousBackups',
      'dynamodb:CreateBackup',
      'dynamodb:ListBackups',
      'sns:Publish',
      'secretsmanager:GetSecretValue',
      'ssm:GetParameter',
      'eks:DescribeCluster',
      'ec2:DescribeInstances',
      'autoscaling:DescribeAutoScalingGroups',
    ];
    const extra: Record<Fn, string[]> = {
      sweep: ['sqs:SendMessage'],
      worker: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
      events: ['sqs:SendMessage'],
      api: ['sqs:SendMessage'],
    };
    for (const name of FUNCTIONS) {
      const list = statements(roleOf(name));
      expect(new Set(list.flatMap(actionsOf)), name).toEqual(new Set([...common, ...extra[name]]));
      const bySid = Object.fromEntries(list.map((s) => [s.Sid, s]));
      // Logs: the function's own log group only.
      expect(bySid.Logs.Resource['Fn::Sub']).toMatch(new RegExp(`log-group:/aws/lambda/sealwatch-dev-${name}:\\*$`));
      expect(bySid.StateTable.Resource).toEqual({ 'Fn::GetAtt': ['StateTable', 'Arn'] });
      expect(bySid.CustodyDecrypt.Resource).toEqual({ 'Fn::GetAtt': ['CustodyKey', 'Arn'] });
      expect(bySid.VaultTableChecks.Resource).toEqual(splitSub(DERIVED.vaultTableArns));
      expect(bySid.AlertTopics.Resource).toEqual(splitSub(DERIVED.alertTopicArns));
      expect(bySid.SealKeyHealth.Resource).toEqual(splitSub(DERIVED.sealKeyArns));
      expect(bySid.SealKeyCanary.Resource).toEqual(splitSub(DERIVED.sealKeyArns));
      expect(bySid.ConfigSecrets.Resource).toEqual(splitSub(DERIVED.secretArns));
      expect(bySid.ConfigParameters.Resource).toEqual(splitSub(DERIVED.ssmParameterArns));
      expect(bySid.EksDiscovery.Resource).toEqual(splitSub(DERIVED.eksClusterArns));
      expect(bySid.Ec2Discovery.Condition.StringEquals['aws:RequestedRegion']).toEqual(split(DERIVED.ec2DiscoveryRegions));
      expect(bySid.AutoScalingDiscovery.Condition.StringEquals['aws:RequestedRegion']).toEqual(split(DERIVED.autoScalingDiscoveryRegions));
      const sqsTargets = list
        .filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')))
        .map((s) => s.Resource['Fn::GetAtt'][0])
        .sort();
      expect(sqsTargets).toEqual(
        { sweep: ['DeadLetterQueue', 'WorkQueue'], worker: ['WorkQueue'], events: ['DeadLetterQueue', 'WorkQueue'], api: ['WorkQueue'] }[name],
      );
      // Nothing else: every resource a statement names is one of the stack's own, a derived
      // list, or a "*" AWS requires (checked above).
      const allowed = new Set([
        JSON.stringify({ 'Fn::GetAtt': ['StateTable', 'Arn'] }),
        JSON.stringify({ 'Fn::GetAtt': ['CustodyKey', 'Arn'] }),
        JSON.stringify({ 'Fn::GetAtt': ['WorkQueue', 'Arn'] }),
        JSON.stringify({ 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] }),
        JSON.stringify(bySid.Logs.Resource),
        JSON.stringify('*'),
        ...Object.values(DERIVED)
          .slice(1)
          .map((v) => JSON.stringify(splitSub(v))),
      ]);
      for (const st of list) expect(allowed, `${name}/${st.Sid}`).toContain(JSON.stringify(st.Resource));
    }
    // Optional statements hang on a condition over their derived list, so an empty list drops them.
    expect(template.Conditions.HasVaultTables).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', DERIVED.vaultTableArns] }] });
  });

  it('sends failures to the dead-letter queue: failed scheduled/event invocations and work that failed 3 times', () => {
    const dlq = { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] };
    expect(template.Resources.WorkQueue!.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: dlq, maxReceiveCount: 3 });
    for (const id of ['SweepLambdaEvConf', 'EventsLambdaEvConf']) {
      expect(template.Resources[id]!.Properties.DestinationConfig.OnFailure.Destination).toEqual(dlq);
    }
    const [[, mapping] = []] = ofType('AWS::Lambda::EventSourceMapping');
    expect(mapping!.Properties).toMatchObject({
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': ['WorkQueue', 'Arn'] },
    });
    expect(mapping!.Properties.FunctionName).toEqual({ 'Fn::GetAtt': ['WorkerLambdaFunction', 'Arn'] });
  });

  it('every queue with a redrive policy can reach its DLQ: messages outlive maxReceiveCount visibility timeouts, and the DLQ keeps them longer', () => {
    const queues = ofType('AWS::SQS::Queue').filter(([, q]) => q.Properties.RedrivePolicy);
    expect(queues.length).toBeGreaterThan(0);
    for (const [id, queue] of queues) {
      const p = queue.Properties;
      const visibility = Number(p.VisibilityTimeout ?? 30);
      const retention = Number(p.MessageRetentionPeriod ?? 345_600);
      const receives = Number(p.RedrivePolicy.maxReceiveCount);
      // Each failed receive hides the message for the visibility timeout; the last must still
      // happen before the message expires, with room for a backlog wait (5 min margin).
      expect(retention, `${id}: retention vs ${receives} x ${visibility} s`).toBeGreaterThanOrEqual(receives * visibility + 300);
      const target = p.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0] as string;
      const dlq = template.Resources[target];
      expect(dlq?.Type, `${id} dead-letters to ${target}`).toBe('AWS::SQS::Queue');
      // A moved message keeps its original enqueue time: the DLQ must keep messages longer.
      expect(Number(dlq!.Properties.MessageRetentionPeriod ?? 345_600)).toBeGreaterThan(retention);
    }
  });

  it('every SQS event source has a visibility timeout of at least 6x its function timeout (plus batching window), as AWS recommends', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings.length).toBeGreaterThan(0);
    for (const [id, mapping] of mappings) {
      const queueId = mapping.Properties.EventSourceArn['Fn::GetAtt'][0] as string;
      const fnId = mapping.Properties.FunctionName['Fn::GetAtt'][0] as string;
      const visibility = Number(template.Resources[queueId]!.Properties.VisibilityTimeout ?? 30);
      const timeout = Number(template.Resources[fnId]!.Properties.Timeout ?? 3);
      const window = Number(mapping.Properties.MaximumBatchingWindowInSeconds ?? 0);
      expect(visibility, `${id}: ${queueId} vs ${fnId}`).toBeGreaterThanOrEqual(6 * timeout + window);
    }
  });

  it('every alarm can publish: its topic is unencrypted or encrypted with a key of this stack whose policy lets CloudWatch use it', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(0);
    for (const [alarmId, alarm] of alarms) {
      const actions = [...(alarm.Properties.AlarmActions ?? []), ...(alarm.Properties.OKActions ?? [])] as Json[];
      expect(actions.length, alarmId).toBeGreaterThan(0);
      for (const action of actions) {
        const topicId = action.Ref as string;
        const topic = template.Resources[topicId];
        expect(topic?.Type, `${alarmId} -> ${topicId}`).toBe('AWS::SNS::Topic');
        const keyRef = topic!.Properties.KmsMasterKeyId;
        if (keyRef !== undefined) {
          // alias/aws/sns (or any key outside the stack) cannot grant CloudWatch: alarms would be dropped.
          expect(typeof keyRef, `${topicId} must not use an AWS managed key`).toBe('object');
          const keyId = (keyRef['Fn::GetAtt']?.[0] ?? keyRef.Ref) as string;
          const key = template.Resources[keyId]!;
          expect(key.Type).toBe('AWS::KMS::Key');
          const grants = (key.Properties.KeyPolicy.Statement as Json[]).filter(
            (st) => st.Effect === 'Allow' && JSON.stringify(st.Principal) === JSON.stringify({ Service: 'cloudwatch.amazonaws.com' }),
          );
          const granted = new Set(grants.flatMap(actionsOf));
          expect(granted, `${keyId} lets CloudWatch encrypt for ${topicId}`).toContain('kms:GenerateDataKey*');
          expect(granted).toContain('kms:Decrypt');
          // Only for alarms of this account (the confused-deputy guard).
          for (const g of grants) expect(g.Condition.StringEquals['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
        }
        // A topic policy, when there is one, must let CloudWatch publish.
        const policies = ofType('AWS::SNS::TopicPolicy').filter(([, tp]) => JSON.stringify(tp.Properties.Topics).includes(JSON.stringify({ Ref: topicId })));
        for (const [, policy] of policies) {
          const allows = (policy.Properties.PolicyDocument.Statement as Json[]).some(
            (st) => st.Effect === 'Allow' && st.Principal?.Service === 'cloudwatch.amazonaws.com' && actionsOf(st).includes('sns:Publish'),
          );
          expect(allows, `${topicId} policy lets CloudWatch publish`).toBe(true);
        }
      }
    }
  });

  it('subscribes the alarm topic to the alarmEmail and alarmHttpsEndpoint params', () => {
    const subs = ofType('AWS::SNS::Subscription').map(([, r]) => r.Properties);
    expect(subs).toEqual(
      expect.arrayContaining([
        { TopicArn: { Ref: 'AlarmTopic' }, Protocol: 'email', Endpoint: PARAMS.alarmEmail },
        { TopicArn: { Ref: 'AlarmTopic' }, Protocol: 'https', Endpoint: PARAMS.alarmHttpsEndpoint },
      ]),
    );
    expect(template.Conditions.HasAlarmEmail).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', PARAMS.alarmEmail] }] });
  });

  it('refuses a hand-given param that contradicts the bundled config, and a config that cannot load on Lambda', async () => {
    const run = (params: string[], config = CONFIG) =>
      promisify(execFile)(join(root, 'node_modules/.bin/osls'), ['print', `--param=configFile=${config}`, ...params], {
        cwd: root,
        env: { ...process.env, ...OSLS_ENV },
        timeout: 60_000,
      }).then(
        () => '',
        (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
      );
    const widened = await run(['--param=clusterIds=prod-eu,prod-us,staging']);
    expect(widened).toMatch(/param clusterIds contradicts the config: not in the config: staging/);
    const narrowed = await run(['--param=sealKeyArns=arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab']);
    expect(narrowed).toMatch(/param sealKeyArns contradicts the config: missing: arn:\$\{AWS::Partition\}:kms:us-east-1/);
    // An environment variable the stack does not give its functions: the config could not load there.
    const dir = mkdtempSync(join(tmpdir(), 'sealwatch-package-config-'));
    try {
      const text = readFileSync(join(root, CONFIG), 'utf8').replace('channels:', 'api:\n  alertmanager: { token: "${env:SEALWATCH_AM_TOKEN}" }\nchannels:');
      writeFileSync(join(dir, 'lambda.yaml'), text);
      const unloadable = await run([], join(dir, 'lambda.yaml'));
      expect(unloadable).toMatch(/api\.alertmanager\.token.*SEALWATCH_AM_TOKEN/s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("alarms on each function's errors, dead letters and sweep staleness, all to the alarm topic", () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
    const errorAlarms = alarms.filter((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === 'Errors');
    expect(errorAlarms.map((a) => a.Dimensions[0].Value).sort()).toEqual(FUNCTIONS.map((f) => `sealwatch-dev-${f}`));
    expect(alarms).toContainEqual(
      expect.objectContaining({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['DeadLetterQueue', 'QueueName'] } }],
      }),
    );
    const stale = alarms.find((a) => a.MetricName === 'SweepsCompleted');
    expect(stale).toMatchObject({
      Namespace: 'Sealwatch/dev',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    // From the staleSweepMinutes param (a CLI param arrives as text, which CloudFormation takes).
    expect(Number(stale.EvaluationPeriods)).toBe(7);
    expect(Number(stale.DatapointsToAlarm)).toBe(7);
    // The metric counts completed sweeps from the sweep function and from the workers.
    const filters = ofType('AWS::Logs::MetricFilter').map(([, r]) => r.Properties);
    expect(filters.map((f) => f.LogGroupName).sort()).toEqual(['/aws/lambda/sealwatch-dev-sweep', '/aws/lambda/sealwatch-dev-worker']);
    for (const f of filters) {
      expect(f.FilterPattern).toContain('$.event = "sweep.report"');
      expect(f.MetricTransformations[0]).toMatchObject({ MetricName: 'SweepsCompleted', MetricNamespace: 'Sealwatch/dev' });
    }
  });
});
