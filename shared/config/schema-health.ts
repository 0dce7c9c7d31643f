import { z } from 'zod';
import type { Fields } from './fields.ts';
import {
  AUTH_MOUNT,
  AWS_REGION,
  AWS_REGION_MESSAGE,
  AZURE_KEY_NAME,
  AZURE_KEY_NAME_MESSAGE,
  DYNAMODB_TABLE,
  DYNAMODB_TABLE_MESSAGE,
  KMS_KEY_ID,
  KMS_KEY_ID_MESSAGE,
} from './patterns.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The per-cluster health keys (issue #4), spread into the cluster object. Exactly-one-of rules
 * (auth kind, seal kind) and the ARN/region relation live in `checkRelations`.
 */
export function clusterHealthShape<C extends z.ZodType>(f: Fields, credential: C) {
  const region = () => f.matching(AWS_REGION, AWS_REGION_MESSAGE);

  const auth = z.strictObject({
    token: z.strictObject({}).optional(),
    awsIam: z
      .strictObject({
        role: f.nonEmpty(),
        mount: f.matching(AUTH_MOUNT, 'must be an auth mount path like aws or aws/prod').optional(),
        region: region(),
        serverIdHeader: f.nonEmpty().optional(),
      })
      .optional(),
  });

  const seal = z.strictObject({
    awskms: z
      .strictObject({
        keyId: f.matching(KMS_KEY_ID, KMS_KEY_ID_MESSAGE),
        region: region(),
        endpoint: f.endpoint().optional(),
      })
      .optional(),
    azurekeyvault: z
      .strictObject({
        vaultUrl: f.vaultUrl(),
        keyName: f.matching(AZURE_KEY_NAME, AZURE_KEY_NAME_MESSAGE),
        credential: credential.optional(),
      })
      .optional(),
    canary: z.boolean().optional(),
  });

  const storage = z.strictObject({
    dynamodb: z.strictObject({
      table: f.matching(DYNAMODB_TABLE, DYNAMODB_TABLE_MESSAGE),
      region: region(),
      endpoint: f.endpoint().optional(),
      staleLockAfter: f.duration(5 * SECOND, HOUR).optional(),
      thrashingPerHour: f.intRange(1, 3600).optional(),
      backupBeforeUpgrade: z.boolean().optional(),
    }),
  });

  const raft = z.strictObject({
    autoJoin: z.boolean().optional(),
    removeDeadPeers: z
      .strictObject({
        after: f.duration(5 * MINUTE, 7 * DAY, 'must be at least 5m: a peer down for a reboot or an upgrade must not be removed from the cluster'),
        minQuorum: f.intRange(3, 99).optional(),
      })
      .optional(),
  });

  const checks = z.strictObject({
    certExpiryDays: f.intRange(1, 365).optional(),
    keyExpiryDays: f.intRange(1, 365).optional(),
  });

  return {
    auth: auth.optional(),
    seal: seal.optional(),
    storage: storage.optional(),
    raft: raft.optional(),
    checks: checks.optional(),
  };
}
