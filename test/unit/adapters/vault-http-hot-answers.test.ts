import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeHealthBody, decodeSealStatus } from '../../../shared/adapters/vault-http-hot-answers.ts';
import { healthBodySchema, sealStatusSchema } from '../../../shared/adapters/vault-http-schemas.ts';
import { createRedactor, memoizeRedactor, REDACTED, redactDeep } from '../../../shared/core/redact.ts';

// The fast decoders must accept exactly what the zod schemas accept and return the same values:
// the schemas stay the specification. Checked on every recorded answer (test/fixtures/vault-answers)
// and on those answers with each field removed, nulled, or given a value of every other JSON type.

const dir = fileURLToPath(new URL('../../fixtures/vault-answers/', import.meta.url));
const recorded = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ file: f, answers: JSON.parse(readFileSync(dir + f, 'utf8')) as Record<string, unknown> }));

function bodiesOf(path: string): { name: string; body: Record<string, unknown> }[] {
  const out: { name: string; body: Record<string, unknown> }[] = [];
  for (const { file, answers } of recorded) {
    for (const [state, byPath] of Object.entries(answers)) {
      const answer = (byPath as Record<string, { body?: unknown }> | null)?.[path];
      if (answer && typeof answer.body === 'object' && answer.body !== null)
        out.push({ name: `${file} ${state}`, body: answer.body as Record<string, unknown> });
    }
  }
  return out;
}

const OTHER_VALUES: unknown[] = [null, 'text', '', 7, 0, -1.5, true, false, [], {}, ['a']];

function variants(body: Record<string, unknown>): { name: string; body: unknown }[] {
  const out: { name: string; body: unknown }[] = [{ name: 'as recorded', body }];
  for (const key of Object.keys(body)) {
    const { [key]: _dropped, ...without } = body;
    out.push({ name: `without ${key}`, body: without });
    for (const value of OTHER_VALUES) out.push({ name: `${key} = ${JSON.stringify(value)}`, body: { ...body, [key]: value } });
  }
  out.push(
    { name: 'array', body: [body] },
    { name: 'null', body: null },
    { name: 'string', body: 'x' },
    { name: 'extra field', body: { ...body, hcp_link_status: 'up' } },
  );
  return out;
}

const redact = memoizeRedactor(createRedactor());
const clone = <T>(v: T): T => structuredClone(v);

const cases = [
  { path: 'GET /v1/sys/seal-status', schema: sealStatusSchema, fast: decodeSealStatus },
  { path: 'GET /v1/sys/health', schema: healthBodySchema, fast: decodeHealthBody },
] as const;

describe.each(cases)('fast decoder for $path', ({ path, schema, fast }) => {
  const bodies = bodiesOf(path);

  it('has recorded answers from every version to compare with', () => {
    expect(new Set(bodies.map((b) => b.name.split(' ')[0])).size).toBe(recorded.length);
  });

  it('accepts what the schema accepts, rejects what it rejects, and returns the same value', () => {
    let compared = 0;
    let rejected = 0;
    for (const { name, body } of bodies) {
      for (const variant of variants(body)) {
        const bySchema = (schema as typeof sealStatusSchema).safeParse(redactDeep(clone(variant.body), redact));
        const byFast = (fast as typeof decodeSealStatus)(clone(variant.body), redact);
        const label = `${name}: ${variant.name}`;
        if (bySchema.success) expect(byFast, label).toEqual(bySchema.data);
        else {
          expect(byFast, label).toBeUndefined();
          rejected += 1;
        }
        compared += 1;
      }
    }
    // Both outcomes were exercised, many times.
    expect(compared).toBeGreaterThan(200);
    expect(rejected).toBeGreaterThan(50);
  });

  it('redacts key-like text in the fields it returns, as the schema path does', () => {
    const body = clone(bodiesOf(path)[0]?.body ?? {});
    body.version = '1.19.0 0123456789abcdef0123456789abcdef';
    body.cluster_name = 'hvs.CAESIJ4nKZ0vJ8Lq9zW3xYcN2bR5tUaP1mQeHsD7fGkVo';
    const decoded = (fast as typeof decodeSealStatus)(body, redact) as Record<string, unknown> | undefined;
    expect(decoded?.version).toBe(`1.19.0 ${REDACTED}`);
    expect(decoded?.clusterName).toBe(REDACTED);
  });
});
