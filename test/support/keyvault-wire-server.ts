import { constants, generateKeyPair, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { createTestPki } from '../../shared/simulator/test-pki.ts';

/**
 * A local Azure Key Vault (keys data plane) with real RSA-2048 keys and real RSA-OAEP(-256), so
 * tests drive the real `@azure/keyvault-keys` clients: the bearer challenge, JSON shapes, error
 * bodies and status codes are Key Vault's. Loopback only; HTTPS with a throwaway test CA
 * (shared/simulator/test-pki.ts) by default, or plain HTTP for `allowInsecureConnection` clients.
 *
 * Behaviour copied from Key Vault: the first unauthenticated request gets 401 + challenge; a
 * disabled key refuses crypto operations with 403 (`KeyDisabled`); wrap is refused outside
 * nbf/exp while unwrap still works (Key Vault's documented rule, so data wrapped while valid stays
 * recoverable); an operation absent from key_ops gets 403 (`KeyOperationForbidden`). The exact
 * message texts for disabled keys and key_ops are Key Vault's; those for nbf/exp are unverified.
 */
export interface KeyVaultKeyAttributes {
  enabled?: boolean;
  /** null clears. */
  exp?: Date | null;
  nbf?: Date | null;
  recoveryLevel?: string;
  recoverableDays?: number;
  keyOps?: string[];
}

export interface KeyVaultFault {
  latencyMs?: number;
  throttle?: boolean;
  forbidden?: boolean;
  status5xx?: number;
  times?: number;
}

export interface KeyVaultRequestLogEntry {
  method: string;
  /** Path without query, e.g. `/keys/k1/abc/wrapkey`; bodies are never logged. */
  path: string;
  status: number;
  authenticated: boolean;
}

export interface KeyVaultWireServer {
  /** `https://127.0.0.1:PORT` (or http). */
  vaultUrl: string;
  /** PEM of the CA that signed the server certificate (undefined for plain HTTP). */
  ca: string | undefined;
  requestLog: KeyVaultRequestLogEntry[];
  /** Creates a key with one version; returns its versioned kid. */
  createKey(name: string, attributes?: KeyVaultKeyAttributes): Promise<string>;
  /** Adds a new current version (same attributes); older versions keep working. Returns its kid. */
  rotateKey(name: string): Promise<string>;
  /** Updates the given version, or the current one. */
  setKeyAttributes(name: string, attributes: KeyVaultKeyAttributes, version?: string): void;
  setFault(fault: KeyVaultFault | undefined): void;
  close(): Promise<void>;
}

interface Version {
  version: string;
  privateKey: KeyObject;
  n: string;
  e: string;
  enabled: boolean;
  exp: Date | null;
  nbf: Date | null;
  recoveryLevel: string;
  recoverableDays: number;
  keyOps: string[];
  created: Date;
  updated: Date;
}

class VaultError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly inner?: string,
  ) {
    super(message);
  }
}

const DEFAULT_OPS = ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey'];
const generate = promisify(generateKeyPair);

/** Starts the server on 127.0.0.1 (random port). `protocol: 'http'` skips TLS. */
export async function startKeyVaultWireServer(options: { protocol?: 'https' | 'http'; tenantId?: string } = {}): Promise<KeyVaultWireServer> {
  const tenant = options.tenantId ?? '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const keys = new Map<string, Version[]>();
  const requestLog: KeyVaultRequestLogEntry[] = [];
  let fault: KeyVaultFault | undefined;
  let vaultUrl = '';

  const kidOf = (name: string, version: string): string => `${vaultUrl}/keys/${name}/${version}`;

  async function newVersion(template?: Version): Promise<Version> {
    const { privateKey, publicKey } = await generate('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' });
    const now = new Date();
    return {
      version: randomBytes(16).toString('hex'),
      privateKey,
      n: String(jwk.n),
      e: String(jwk.e),
      enabled: template?.enabled ?? true,
      exp: template?.exp ?? null,
      nbf: template?.nbf ?? null,
      recoveryLevel: template?.recoveryLevel ?? 'Recoverable',
      recoverableDays: template?.recoverableDays ?? 90,
      keyOps: [...(template?.keyOps ?? DEFAULT_OPS)],
      created: now,
      updated: now,
    };
  }

  function apply(target: Version, attributes: KeyVaultKeyAttributes): void {
    if (attributes.enabled !== undefined) target.enabled = attributes.enabled;
    if (attributes.exp !== undefined) target.exp = attributes.exp;
    if (attributes.nbf !== undefined) target.nbf = attributes.nbf;
    if (attributes.recoveryLevel !== undefined) target.recoveryLevel = attributes.recoveryLevel;
    if (attributes.recoverableDays !== undefined) target.recoverableDays = attributes.recoverableDays;
    if (attributes.keyOps !== undefined) target.keyOps = [...attributes.keyOps];
    target.updated = new Date();
  }

  function find(name: string, version: string | undefined): Version {
    const versions = keys.get(name);
    const found = version ? versions?.find((v) => v.version === version) : versions?.at(-1);
    if (!found) {
      throw new VaultError(
        404,
        'KeyNotFound',
        `A key with (name/id) ${name}${version ? `/${version}` : ''} was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
      );
    }
    return found;
  }

  function bundle(name: string, v: Version): unknown {
    const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);
    return {
      key: { kid: kidOf(name, v.version), kty: 'RSA', key_ops: v.keyOps, n: v.n, e: v.e },
      attributes: {
        enabled: v.enabled,
        ...(v.nbf ? { nbf: seconds(v.nbf) } : {}),
        ...(v.exp ? { exp: seconds(v.exp) } : {}),
        created: seconds(v.created),
        updated: seconds(v.updated),
        recoveryLevel: v.recoveryLevel,
        recoverableDays: v.recoverableDays,
      },
    };
  }

  function crypto(name: string, v: Version, op: 'wrapKey' | 'unwrapKey', body: Record<string, unknown>): unknown {
    if (!v.enabled) {
      throw new VaultError(403, 'Forbidden', `Operation ${op} is not allowed on a disabled key.`, 'KeyDisabled');
    }
    if (!v.keyOps.includes(op)) {
      throw new VaultError(403, 'Forbidden', `Operation ${op} is not permitted on this key.`, 'KeyOperationForbidden');
    }
    const now = Date.now();
    if (op === 'wrapKey' && v.exp && v.exp.getTime() <= now) {
      throw new VaultError(403, 'Forbidden', `Operation ${op} is not allowed on an expired key.`, 'KeyExpired');
    }
    if (op === 'wrapKey' && v.nbf && v.nbf.getTime() > now) {
      throw new VaultError(403, 'Forbidden', `Operation ${op} is not allowed on a key that is not yet valid.`, 'KeyNotYetValid');
    }
    const alg = body.alg;
    if (alg !== 'RSA-OAEP-256' && alg !== 'RSA-OAEP') {
      throw new VaultError(400, 'BadParameter', `Invalid algorithm: ${String(alg)}`);
    }
    if (typeof body.value !== 'string') throw new VaultError(400, 'BadParameter', 'Property value is required.');
    const input = Buffer.from(body.value, 'base64url');
    const oaepHash = alg === 'RSA-OAEP-256' ? 'sha256' : 'sha1';
    const padding = constants.RSA_PKCS1_OAEP_PADDING;
    let output: Buffer;
    try {
      output =
        op === 'wrapKey' ? publicEncrypt({ key: v.privateKey, padding, oaepHash }, input) : privateDecrypt({ key: v.privateKey, padding, oaepHash }, input);
    } catch {
      throw new VaultError(400, 'BadParameter', 'The parameter is incorrect.');
    } finally {
      input.fill(0);
    }
    const value = output.toString('base64url');
    output.fill(0);
    return { kid: kidOf(name, v.version), value };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const auth = String(req.headers.authorization ?? '');
    const log: KeyVaultRequestLogEntry = {
      method: req.method ?? 'GET',
      path: url.pathname,
      status: 0,
      authenticated: auth.startsWith('Bearer '),
    };
    requestLog.push(log);
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      log.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    try {
      const raw = await readBody(req);
      if (fault?.latencyMs) await new Promise((r) => setTimeout(r, fault?.latencyMs));
      if (!log.authenticated) {
        reply(
          401,
          { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } },
          {
            'www-authenticate': `Bearer authorization="https://login.microsoftonline.com/${tenant}", resource="https://vault.azure.net"`,
          },
        );
        return;
      }
      const current = fault;
      if (current && (current.throttle || current.forbidden || current.status5xx)) {
        if (current.times !== undefined && --current.times <= 0) fault = undefined;
        if (current.status5xx) throw new VaultError(current.status5xx, 'InternalServerError', 'An unexpected error occurred.');
        if (current.throttle) {
          throw new VaultError(429, 'Throttled', 'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached');
        }
        throw new VaultError(
          403,
          'Forbidden',
          "Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nAction: 'Microsoft.KeyVault/vaults/keys/wrap/action'",
          'ForbiddenByRbac',
        );
      }
      const parts = url.pathname.split('/').filter((p, i) => i > 0 && (p !== '' || i === 3));
      // /keys/{name}[/{version}][/{operation}]; an empty version segment means the current one.
      if (parts[0] !== 'keys' || !parts[1]) throw new VaultError(400, 'BadParameter', 'Unknown request path.');
      const name = decodeURIComponent(parts[1]);
      const version = parts[2] ? decodeURIComponent(parts[2]) : undefined;
      const operation = parts[3]?.toLowerCase();
      if (req.method === 'GET' && parts.length <= 3) {
        reply(200, bundle(name, find(name, version)));
        return;
      }
      if (req.method === 'POST' && (operation === 'wrapkey' || operation === 'unwrapkey')) {
        const v = find(name, version);
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
        } catch {
          throw new VaultError(400, 'BadParameter', 'The request body is not valid JSON.');
        } finally {
          raw.fill(0);
        }
        reply(200, crypto(name, v, operation === 'wrapkey' ? 'wrapKey' : 'unwrapKey', body));
        return;
      }
      throw new VaultError(405, 'MethodNotAllowed', 'The requested resource does not support this method.');
    } catch (error) {
      const e = error instanceof VaultError ? error : new VaultError(500, 'InternalServerError', 'internal error');
      const headers: Record<string, string> = e.status === 429 ? { 'retry-after': '1' } : {};
      reply(e.status, { error: { code: e.code, message: e.message, ...(e.inner ? { innererror: { code: e.inner } } : {}) } }, headers);
    }
  }

  const protocol = options.protocol ?? 'https';
  // A throwaway CA per server: clients trust it through `tlsOptions: { ca }`.
  const pki = protocol === 'https' ? await createTestPki({ commonName: 'sealwatch key vault test CA' }) : undefined;
  const leaf = await pki?.issue(['127.0.0.1']);
  const listener = (req: IncomingMessage, res: ServerResponse): void => void handle(req, res);
  const server: Server = leaf ? createHttpsServer({ key: leaf.keyPem, cert: leaf.certPem }, listener) : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  vaultUrl = `${protocol}://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    vaultUrl,
    ca: pki?.caPem,
    requestLog,
    async createKey(name, attributes = {}) {
      if (keys.has(name)) throw new Error(`key ${name} exists`);
      const v = await newVersion();
      apply(v, attributes);
      keys.set(name, [v]);
      return kidOf(name, v.version);
    },
    async rotateKey(name) {
      const versions = keys.get(name);
      if (!versions) throw new Error(`no key ${name}`);
      const v = await newVersion(versions.at(-1));
      versions.push(v);
      return kidOf(name, v.version);
    },
    setKeyAttributes(name, attributes, version) {
      apply(find(name, version), attributes);
    },
    setFault(next) {
      fault = next ? { ...next } : undefined;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
