import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local AWS KMS that speaks the wire protocol (AWS JSON 1.1, `X-Amz-Target: TrentService.*`)
 * with real crypto, so tests drive the real `@aws-sdk/client-kms` (serialisation, signing, retries,
 * error classes) rather than a mock of it. Loopback only.
 *
 * Ciphertext blob (opaque to clients, like the real one): `0x01 | len | keyId | iv(12) | tag(16) |
 * ct`, AES-256-GCM under the key's own secret with AAD = key id + canonical encryption context,
 * so another context fails (InvalidCiphertextException) and a pinned KeyId that is not the blob's
 * key fails (IncorrectKeyException), as in KMS.
 *
 * Retries observed with `@aws-sdk/client-kms` 3.116x (standard retry mode): a 5xx
 * (KMSInternalException, 503) and a ThrottlingException are both retried until `maxAttempts`
 * (default 3) with jittered exponential backoff, from a 100 ms base for 5xx and a 500 ms base for
 * throttling (two throttles in a row cost ~2.5 s here); DisabledException, AccessDeniedException
 * and other 4xx are not retried. Fault tests should use `maxAttempts: 1`. Checked in
 * test/integration/kms-wire-server.test.ts.
 */
export type KmsKeyState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport' | 'Unavailable';

export interface KmsWireKey {
  keyId: string;
  arn: string;
}

export interface KmsFault {
  latencyMs?: number;
  throttle?: boolean;
  accessDenied?: boolean;
  status5xx?: number;
  /** Fail only this many requests, then behave (to observe SDK retries). Default: until cleared. */
  times?: number;
}

export interface KmsRequestLogEntry {
  target: string;
  keyId?: string;
  status: number;
}

export interface KmsWireServer {
  /** `http://127.0.0.1:PORT`, for `new KMSClient({ endpoint })`. */
  endpoint: string;
  region: string;
  accountId: string;
  /** Target and key id of each request, never payloads. */
  requestLog: KmsRequestLogEntry[];
  createKey(options?: { description?: string; alias?: string; origin?: 'AWS_KMS' | 'EXTERNAL'; rotation?: boolean }): KmsWireKey;
  setKeyState(keyId: string, state: KmsKeyState, options?: { deletionDate?: Date }): void;
  setFault(fault: KmsFault | undefined): void;
  close(): Promise<void>;
}

interface KeyRecord extends KmsWireKey {
  secret: Buffer;
  state: KmsKeyState;
  created: Date;
  deletionDate: Date | undefined;
  description: string;
  origin: 'AWS_KMS' | 'EXTERNAL';
  rotation: boolean;
}

class KmsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** Starts a KMS wire server on 127.0.0.1 (random port). */
export async function startKmsWireServer(options: { region?: string; accountId?: string } = {}): Promise<KmsWireServer> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '111122223333';
  const keys = new Map<string, KeyRecord>();
  const aliases = new Map<string, string>();
  const requestLog: KmsRequestLogEntry[] = [];
  let fault: KmsFault | undefined;

  const arnOf = (keyId: string): string => `arn:aws:kms:${region}:${accountId}:key/${keyId}`;

  function createKey(opts: Parameters<KmsWireServer['createKey']>[0] = {}): KmsWireKey {
    const keyId = randomUUID();
    const record: KeyRecord = {
      keyId,
      arn: arnOf(keyId),
      secret: randomBytes(32),
      state: 'Enabled',
      created: new Date(),
      deletionDate: undefined,
      description: opts.description ?? '',
      origin: opts.origin ?? 'AWS_KMS',
      rotation: opts.rotation ?? false,
    };
    keys.set(keyId, record);
    if (opts.alias) aliases.set(opts.alias.startsWith('alias/') ? opts.alias : `alias/${opts.alias}`, keyId);
    return { keyId, arn: record.arn };
  }

  function resolve(id: unknown): KeyRecord {
    if (typeof id !== 'string' || id.length === 0) {
      throw new KmsError('ValidationException', "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");
    }
    let keyId = id;
    const arn = /^arn:aws:kms:[^:]*:\d*:(key|alias)\/(.+)$/.exec(id);
    if (arn) keyId = arn[1] === 'alias' ? (aliases.get(`alias/${arn[2]}`) ?? id) : (arn[2] ?? id);
    else if (id.startsWith('alias/')) keyId = aliases.get(id) ?? id;
    const record = keys.get(keyId);
    if (!record) throw new KmsError('NotFoundException', `Key '${id.startsWith('arn:') ? id : arnOf(id)}' does not exist`);
    return record;
  }

  /** The errors KMS gives for cryptographic operations on a key that is not Enabled. */
  function requireUsable(key: KeyRecord): void {
    switch (key.state) {
      case 'Enabled':
        return;
      case 'Disabled':
        throw new KmsError('DisabledException', `${key.arn} is disabled.`);
      case 'PendingDeletion':
        throw new KmsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
      case 'PendingImport':
        throw new KmsError('KMSInvalidStateException', `${key.arn} is pending import.`);
      case 'Unavailable':
        throw new KmsError('KMSInvalidStateException', `${key.arn} is unavailable.`);
    }
  }

  const handlers: Record<string, (body: Record<string, unknown>, log: KmsRequestLogEntry) => unknown> = {
    Encrypt(body, log) {
      const key = resolve(body.KeyId);
      log.keyId = key.keyId;
      requireUsable(key);
      const plaintext = blobField(body.Plaintext, 'plaintext');
      if (plaintext.length < 1 || plaintext.length > 4096) {
        throw new KmsError(
          'ValidationException',
          "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
        );
      }
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key.secret, iv);
      cipher.setAAD(aadOf(key.keyId, body.EncryptionContext));
      const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      plaintext.fill(0);
      const id = Buffer.from(key.keyId, 'utf8');
      const blob = Buffer.concat([Buffer.from([1, id.length]), id, iv, cipher.getAuthTag(), ct]);
      return { CiphertextBlob: blob.toString('base64'), KeyId: key.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    },
    Decrypt(body, log) {
      const blob = blobField(body.CiphertextBlob, 'ciphertextBlob');
      const parsed = parseBlob(blob);
      const key = parsed ? keys.get(parsed.keyId) : undefined;
      if (!parsed || !key) throw new KmsError('InvalidCiphertextException', '');
      log.keyId = key.keyId;
      if (body.KeyId !== undefined && resolve(body.KeyId).keyId !== key.keyId) {
        throw new KmsError('IncorrectKeyException', 'The key ID in the request does not identify a KMS key that can perform this operation.');
      }
      requireUsable(key);
      const decipher = createDecipheriv('aes-256-gcm', key.secret, parsed.iv);
      decipher.setAAD(aadOf(key.keyId, body.EncryptionContext));
      decipher.setAuthTag(parsed.tag);
      const out = decipher.update(parsed.ct);
      try {
        decipher.final();
      } catch {
        out.fill(0);
        throw new KmsError('InvalidCiphertextException', '');
      }
      const encoded = out.toString('base64');
      out.fill(0);
      return { KeyId: key.arn, Plaintext: encoded, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    },
    DescribeKey(body, log) {
      const key = resolve(body.KeyId);
      log.keyId = key.keyId;
      return {
        KeyMetadata: {
          AWSAccountId: accountId,
          KeyId: key.keyId,
          Arn: key.arn,
          CreationDate: key.created.getTime() / 1000,
          Enabled: key.state === 'Enabled',
          Description: key.description,
          KeyUsage: 'ENCRYPT_DECRYPT',
          KeyState: key.state,
          ...(key.state === 'PendingDeletion' && key.deletionDate ? { DeletionDate: key.deletionDate.getTime() / 1000, PendingDeletionWindowInDays: 7 } : {}),
          Origin: key.origin,
          KeyManager: 'CUSTOMER',
          CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
          KeySpec: 'SYMMETRIC_DEFAULT',
          EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
          MultiRegion: false,
        },
      };
    },
    GetKeyRotationStatus(body, log) {
      const key = resolve(body.KeyId);
      log.keyId = key.keyId;
      if (key.state === 'PendingDeletion') throw new KmsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
      if (key.origin !== 'AWS_KMS') {
        throw new KmsError('UnsupportedOperationException', `${key.arn} origin is EXTERNAL which is not valid for this operation.`);
      }
      const period = 365;
      return {
        KeyId: key.arn,
        KeyRotationEnabled: key.rotation,
        ...(key.rotation ? { RotationPeriodInDays: period, NextRotationDate: key.created.getTime() / 1000 + period * 86400 } : {}),
      };
    },
    CreateKey(body, log) {
      const created = createKey({ description: typeof body.Description === 'string' ? body.Description : '' });
      log.keyId = created.keyId;
      return handlers.DescribeKey!({ KeyId: created.keyId }, log);
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const log: KmsRequestLogEntry = { target: target.replace(/^TrentService\./, ''), status: 0 };
    requestLog.push(log);
    const reply = (status: number, payload: unknown, errorType?: string): void => {
      log.status = status;
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': randomUUID(),
        ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
      });
      res.end(JSON.stringify(payload));
    };
    try {
      const raw = await readBody(req);
      if (fault?.latencyMs) await new Promise((r) => setTimeout(r, fault?.latencyMs));
      if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
        throw new KmsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
      }
      const current = fault;
      if (current && (current.throttle || current.accessDenied || current.status5xx)) {
        if (current.times !== undefined && --current.times <= 0) fault = undefined;
        if (current.status5xx) throw new KmsError('KMSInternalException', 'We encountered an internal error. Please try again.', current.status5xx);
        if (current.throttle) throw new KmsError('ThrottlingException', 'Rate exceeded');
        throw new KmsError(
          'AccessDeniedException',
          `User: arn:aws:sts::${accountId}:assumed-role/test/session is not authorized to perform: kms:${log.target} because no identity-based policy allows the kms:${log.target} action`,
        );
      }
      const handler = handlers[log.target];
      if (req.method !== 'POST' || !target.startsWith('TrentService.') || !handler) {
        throw new KmsError('UnknownOperationException', '');
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        throw new KmsError('SerializationException', 'Start of structure or map found where not expected.');
      }
      reply(200, handler(body, log));
    } catch (error) {
      const e = error instanceof KmsError ? error : new KmsError('KMSInternalException', 'internal error', 500);
      reply(e.status, { __type: e.type, message: e.message }, e.type);
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    region,
    accountId,
    requestLog,
    createKey,
    setKeyState(keyId, state, opts = {}) {
      const key = resolve(keyId);
      key.state = state;
      key.deletionDate = state === 'PendingDeletion' ? (opts.deletionDate ?? new Date(Date.now() + 7 * 86_400_000)) : undefined;
    },
    setFault(next) {
      fault = next ? { ...next } : undefined;
    },
    close: () =>
      new Promise<void>((resolveClose, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolveClose()));
      }),
  };
}

function blobField(value: unknown, name: string): Buffer {
  if (typeof value !== 'string') {
    throw new KmsError('ValidationException', `1 validation error detected: Value at '${name}' failed to satisfy constraint: Member must not be null`);
  }
  return Buffer.from(value, 'base64');
}

/** Same bytes whatever the insertion order of the context, as KMS treats it as a set of pairs. */
function aadOf(keyId: string, context: unknown): Buffer {
  const entries = context && typeof context === 'object' ? Object.entries(context as Record<string, string>) : [];
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify([keyId, entries]), 'utf8');
}

function parseBlob(blob: Buffer): { keyId: string; iv: Buffer; tag: Buffer; ct: Buffer } | undefined {
  if (blob.length < 2 || blob[0] !== 1) return undefined;
  const idLength = blob[1] ?? 0;
  const start = 2 + idLength;
  if (blob.length < start + 12 + 16) return undefined;
  return {
    keyId: blob.subarray(2, start).toString('utf8'),
    iv: blob.subarray(start, start + 12),
    tag: blob.subarray(start + 12, start + 28),
    ct: blob.subarray(start + 28),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
