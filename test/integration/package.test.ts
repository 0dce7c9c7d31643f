import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'sealwatch-package-'));

interface Template {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}
let template: Template;

// `npm run package` must work offline: osls + serverless-esbuild with no AWS credentials.
describe('serverless package (osls, offline)', () => {
  beforeAll(async () => {
    const env = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'sealwatch-none', SLS_TELEMETRY_DISABLED: '1' };
    await promisify(execFile)(join(root, 'node_modules/.bin/osls'), ['package', '--package', out], { cwd: root, env, timeout: 120_000 });
    template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  }, 150_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  const ofType = (type: string) => Object.values(template.Resources).filter((r) => r.Type === type);

  it('builds one zip per function', () => {
    const zips = readdirSync(out).filter((f) => f.endsWith('.zip')).sort();
    expect(zips).toEqual(['api.zip', 'sweep.zip']);
    for (const zip of zips) expect(statSync(join(out, zip)).size).toBeGreaterThan(1000);
  });

  it('schedules the sweep every minute', () => {
    const rules = ofType('AWS::Events::Rule');
    expect(rules.map((r) => r.Properties.ScheduleExpression)).toContain('rate(1 minute)');
  });

  it('routes the HTTP API to the api function', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map((r) => r.Properties.RouteKey).sort();
    expect(routes).toEqual(['GET /healthz', 'GET /v1/clusters', 'GET /v1/clusters/{id}']);
  });

  it('declares the state table with pk/sk, PITR, SSE and TTL', () => {
    const [table] = ofType('AWS::DynamoDB::Table');
    const p = table?.Properties as Record<string, any>;
    expect(p.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(p.SSESpecification.SSEEnabled).toBe(true);
    expect(p.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
  });

  it('runs both functions on nodejs22.x arm64', () => {
    const fns = ofType('AWS::Lambda::Function');
    expect(fns).toHaveLength(2);
    for (const fn of fns) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
    }
  });
});
