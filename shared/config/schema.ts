import { z } from 'zod';
import { createFields } from './fields.ts';
import { AWS_REGION, AZURE_KEY_NAME, AZURE_KEY_VERSION, DYNAMODB_TABLE, KMS_KEY_ID } from './patterns.ts';
import type { ReferenceContext } from './references.ts';
import { createAlertingSchemas } from './schema-alerting.ts';
import { discoverySchema } from './schema-discovery.ts';
import { clusterHealthShape } from './schema-health.ts';

/**
 * The shape of `sealwatch.yaml`, bound to a reference context (env, base directory, file reads).
 * Objects are strict so a misspelt key is an error rather than a silently ignored setting.
 * Relations between fields (uniqueness, exactly-one-of, custody wrapper ids...) are checked by
 * `checkRelations`, which runs even when this schema finds problems, so all are listed at once.
 * Defaults are applied afterwards by `buildConfig`.
 */
export function createConfigSchema(context: ReferenceContext) {
  const f = createFields(context);

  const state = z.strictObject({
    embedded: z.strictObject({ path: f.nonEmpty().optional() }).optional(),
    dynamodb: z
      .strictObject({
        table: f.matching(DYNAMODB_TABLE, 'must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)'),
        region: f.matching(AWS_REGION, 'must be an AWS region like eu-west-1'),
        endpoint: f.endpoint().optional(),
      })
      .optional(),
  });

  const sweep = z.strictObject({
    concurrency: f.intRange(1, 1024).optional(),
    nodeTimeoutMs: f.intRange(100, 60_000).optional(),
    intervalSeconds: f.intRange(5, 3600).optional(),
  });

  const credential = z.strictObject({
    kind: z.enum(['default', 'client-secret', 'workload-identity'], {
      error: 'must be one of default, client-secret, workload-identity',
    }),
    tenantId: f.nonEmpty().optional(),
    clientId: f.nonEmpty().optional(),
    // Key wrappers are built at start-up, synchronously: no lazy (remote) secret here.
    clientSecret: f.secret({ remote: false }).optional(),
  });

  const wrapper = z.strictObject({
    id: f.id(),
    local: z.strictObject({ key: f.keyText().optional(), keyFile: f.keyFile().optional() }).optional(),
    awsKms: z
      .strictObject({
        keyId: f.matching(KMS_KEY_ID, 'must be a key ARN, alias ARN, alias/NAME, key id or mrk- id'),
        region: f.matching(AWS_REGION, 'must be an AWS region like eu-west-1'),
        endpoint: f.endpoint().optional(),
      })
      .optional(),
    azureKeyVault: z
      .strictObject({
        vaultUrl: f.vaultUrl(),
        keyName: f.matching(AZURE_KEY_NAME, 'must be a Key Vault key name (1-127 of A-Z a-z 0-9 -)'),
        keyVersion: f.matching(AZURE_KEY_VERSION, 'must be a Key Vault key version').optional(),
        credential: credential.optional(),
      })
      .optional(),
  });

  const node = z.strictObject({
    id: f.id(),
    url: f.nodeUrl(),
    insecureHttp: z.boolean().optional(),
  });

  const tls = z.strictObject({
    caFile: f.caFile().optional(),
    caPem: f.caPem().optional(),
    serverName: f.nonEmpty().optional(),
  });

  const shareIndexes = z.array(f.intRange(1, 255), { error: 'must be a list of share indexes' }).min(1, 'must list at least one share index');

  const custody = z.strictObject({
    default: f.id().optional(),
    shares: z.record(z.string(), shareIndexes).optional(),
  });

  const cluster = z.strictObject({
    id: f.id(),
    name: f.nonEmpty().optional(),
    // Static nodes, discovery, or both ("at least one of" is checked in checkRelations).
    nodes: z.array(node).min(1, 'must list at least one node (or leave nodes out and use discovery)').optional(),
    discovery: discoverySchema(f).optional(),
    tls: tls.optional(),
    autoUnseal: z.boolean().optional(),
    custody: custody.optional(),
    ...clusterHealthShape(f, credential),
  });

  const alerting = createAlertingSchemas(f);

  return z.strictObject({
    state: state.optional(),
    sweep: sweep.optional(),
    wrappers: z.array(wrapper).optional(),
    clusters: z.array(cluster).min(1, 'must list at least one cluster'),
    channels: z.array(alerting.channel, { error: 'must be a list of channels' }).optional(),
    alerts: alerting.alerts.optional(),
    api: alerting.api.optional(),
    scaleOut: alerting.scaleOut.optional(),
  });
}

export type ConfigSchema = ReturnType<typeof createConfigSchema>;
export type ValidatedConfig = z.output<ConfigSchema>;
