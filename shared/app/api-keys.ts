import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { StateStore } from '../ports/state-store.ts';

/** `read` < `operate` < `admin`: a key with a scope may do everything the lower ones allow. */
export const API_SCOPES = ['read', 'operate', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** What is stored and shown about a key: never the key itself, only its SHA-256. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  scopes: ApiScope[];
  createdAt: string;
  revokedAt?: string;
}

interface ApiKeyItem extends ApiKeyInfo {
  /** SHA-256 of the whole key text, hex. */
  hash: string;
}

export interface ApiKeyService {
  /** Creates a key. `key` is returned this once and stored nowhere. */
  create(input: { name: string; scopes: readonly ApiScope[] }): Promise<{ key: string; info: ApiKeyInfo }>;
  revoke(id: string): Promise<ApiKeyInfo>;
  list(): Promise<ApiKeyInfo[]>;
  /** The key's record when `presented` is a live key; null otherwise (unknown, revoked, malformed). */
  verify(presented: string): Promise<ApiKeyInfo | null>;
}

export interface ApiKeyServiceOptions {
  store: StateStore;
  clock: Clock;
  /** Random bytes (tests inject a deterministic source). */
  random?: (size: number) => Uint8Array;
}

const PK = 'APIKEY';
const KEY_PATTERN = /^swk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
const NAME_PATTERN = /^[\w .@:-]{1,64}$/;

/** True when a key holding `held` may use a route that needs `needed`. */
export function scopeAllows(held: readonly ApiScope[], needed: ApiScope): boolean {
  const rank = API_SCOPES.indexOf(needed);
  return held.some((s) => API_SCOPES.indexOf(s) >= rank);
}

/**
 * API keys in the state store (`pk APIKEY`, `sk KEY#<id>`). A key reads `swk_<id>_<secret>`:
 * the id finds the record, the SHA-256 of the whole text is compared in constant time. Keys
 * are high-entropy, so a plain hash (no password KDF) is enough.
 */
export function createApiKeyService(options: ApiKeyServiceOptions): ApiKeyService {
  const { store, clock } = options;
  const random = options.random ?? ((size: number) => new Uint8Array(randomBytes(size)));
  const sk = (id: string) => `KEY#${id}`;

  return {
    async create(input) {
      const problems: string[] = [];
      if (!NAME_PATTERN.test(input.name)) problems.push('name: 1-64 characters of letters, digits, space and _ . @ : -');
      const scopes = [...new Set(input.scopes)];
      if (scopes.length === 0) problems.push('scopes: at least one of read, operate, admin');
      for (const s of scopes) if (!API_SCOPES.includes(s)) problems.push(`scopes: "${String(s)}" is not one of read, operate, admin`);
      if (problems.length > 0) throw new ValidationError('invalid API key request', problems);
      const id = Buffer.from(random(6)).toString('hex');
      const key = `swk_${id}_${Buffer.from(random(32)).toString('base64url')}`;
      const info: ApiKeyInfo = { id, name: input.name, scopes, createdAt: new Date(clock.now()).toISOString() };
      await store.put<ApiKeyItem>({ pk: PK, sk: sk(id), data: { ...info, hash: sha256(key).toString('hex') }, condition: { kind: 'absent' } });
      return { key, info };
    },

    async revoke(id) {
      const item = await store.get<ApiKeyItem>(PK, sk(id));
      if (!item) throw new NotFoundError(`no API key with id "${id}"`);
      if (item.data.revokedAt) return publicInfo(item.data);
      const data = { ...item.data, revokedAt: new Date(clock.now()).toISOString() };
      await store.put<ApiKeyItem>({ pk: PK, sk: sk(id), data, condition: { kind: 'version', version: item.version } });
      return publicInfo(data);
    },

    async list() {
      const keys: ApiKeyInfo[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.query<ApiKeyItem>({ pk: PK, skPrefix: 'KEY#', ...(cursor ? { cursor } : {}) });
        keys.push(...page.items.map((i) => publicInfo(i.data)));
        cursor = page.cursor;
      } while (cursor);
      return keys;
    },

    async verify(presented) {
      const match = KEY_PATTERN.exec(presented);
      const digest = sha256(presented);
      const item = match ? await store.get<ApiKeyItem>(PK, sk(match[1] as string)) : null;
      // Compared even without a record, so timing does not tell a known id from an unknown one.
      const stored = item ? Buffer.from(item.data.hash, 'hex') : Buffer.alloc(32);
      const equal = stored.length === 32 && timingSafeEqual(stored, digest);
      if (!item || !equal || item.data.revokedAt) return null;
      return publicInfo(item.data);
    },
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function publicInfo(item: ApiKeyItem): ApiKeyInfo {
  return {
    id: item.id,
    name: item.name,
    scopes: [...item.scopes],
    createdAt: item.createdAt,
    ...(item.revokedAt ? { revokedAt: item.revokedAt } : {}),
  };
}
