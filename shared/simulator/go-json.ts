/**
 * Request-body decoding the way Vault's Go handlers do it (`jsonutil.DecodeJSONFromReader` into
 * a struct): field names match case-insensitively, unknown fields are ignored, `null` leaves the
 * zero value, a type mismatch is an error naming the Go struct field. Only what the simulated
 * endpoints need.
 */

export type GoFieldType = 'string' | 'bool' | 'int' | 'uint' | '[]string' | 'duration' | 'any';

export interface GoField {
  /** JSON name as Vault declares it (struct tag, or the Go field name when untagged). */
  name: string;
  type: GoFieldType;
}

export interface GoStruct {
  /** Go type name, e.g. `UnsealRequest`, used in type-mismatch messages. */
  goName: string;
  /** Package-qualified name for "Go value of type" messages, e.g. `http.UnsealRequest`. */
  qualifiedName: string;
  fields: readonly GoField[];
}

export type Decoded = { ok: true; empty: boolean; values: Record<string, unknown> } | { ok: false; error: string };

function goKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'string';
  return 'object';
}

// Simplified Go json syntax errors: the per-product prefix (see JsonErrorPrefix) and the
// `EOF` / `unexpected EOF` cases are what Vault clients see most; the exact wording of other
// syntax errors is approximated.
function syntaxError(text: string, cause: unknown): string {
  const first = text.trimStart()[0] ?? '';
  if (!/[{["\-0-9tfn]/.test(first)) {
    return `invalid character '${first}' looking for beginning of value`;
  }
  const message = cause instanceof Error ? cause.message : '';
  if (/end of JSON input|Unterminated/.test(message)) return 'unexpected EOF';
  const position = /position (\d+)/.exec(message)?.[1];
  const offending = position === undefined ? '' : text[Number(position)];
  return offending === undefined || offending === '' ? 'invalid character in JSON input' : `invalid character '${offending}' looking for beginning of value`;
}

function scalarMismatch(type: GoFieldType, value: unknown): { kind: string; goType: string } | null {
  if (value === null || type === 'any' || type === 'duration') return null;
  if (type === 'string') return typeof value === 'string' ? null : { kind: goKind(value), goType: type };
  if (type === 'bool') return typeof value === 'boolean' ? null : { kind: goKind(value), goType: type };
  if (type === 'int' || type === 'uint') {
    const goType = type === 'uint' ? 'uint64' : 'int';
    if (typeof value !== 'number') return { kind: goKind(value), goType };
    // Go reports the literal only when a number does not fit the integer type.
    const fits = Number.isInteger(value) && (type === 'int' || value >= 0);
    return fits ? null : { kind: `number ${JSON.stringify(value)}`, goType };
  }
  if (!Array.isArray(value)) return { kind: goKind(value), goType: '[]string' };
  const bad = value.find((item) => item !== null && typeof item !== 'string');
  return bad === undefined ? null : { kind: goKind(bad), goType: 'string' };
}

function typeMismatch(struct: GoStruct, field: GoField, value: unknown): string | null {
  const mismatch = scalarMismatch(field.type, value);
  if (mismatch === null) return null;
  return `json: cannot unmarshal ${mismatch.kind} into Go struct field ${struct.goName}.${field.name} of type ${mismatch.goType}`;
}

/**
 * Decodes `body` into the fields of `struct`. An empty (whitespace-only) body is reported as
 * `empty: true` with no values: callers decide whether that is Vault's `EOF` error.
 */
/**
 * Prefixes of body errors. `tokenizer`: syntax errors an up-front complexity scan finds (OpenBao
 * runs one; a truncated body ends its token loop with io.EOF, so truncation reaches the decoder).
 * `decoder`: truncation and type mismatches, from the struct decode.
 */
export interface JsonErrorPrefix {
  readonly tokenizer: string;
  readonly decoder: string;
}

const VAULT_PREFIX: JsonErrorPrefix = { tokenizer: 'failed to parse JSON input', decoder: 'failed to parse JSON input' };

export function decodeGoJson(body: string, struct: GoStruct, prefix: JsonErrorPrefix = VAULT_PREFIX): Decoded {
  if (body.trim() === '') return { ok: true, empty: true, values: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (cause) {
    const reason = syntaxError(body, cause);
    return { ok: false, error: `${reason === 'unexpected EOF' ? prefix.decoder : prefix.tokenizer}: ${reason}` };
  }
  if (parsed === null) return { ok: true, empty: false, values: {} };
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    const kind = goKind(parsed);
    return {
      ok: false,
      error: `${prefix.decoder}: json: cannot unmarshal ${kind} into Go value of type ${struct.qualifiedName}`,
    };
  }
  const input = parsed as Record<string, unknown>;
  const values: Record<string, unknown> = {};
  let firstError: string | null = null;
  for (const field of struct.fields) {
    const lower = field.name.toLowerCase();
    // Go prefers an exact key and otherwise takes a case-insensitive match.
    let key: string | undefined = Object.hasOwn(input, field.name) ? field.name : undefined;
    if (key === undefined) key = Object.keys(input).find((k) => k.toLowerCase() === lower);
    if (key === undefined) continue;
    const value = input[key];
    const mismatch = typeMismatch(struct, field, value);
    if (mismatch !== null) {
      firstError ??= mismatch;
      continue;
    }
    if (value !== null) values[field.name] = value;
  }
  if (firstError !== null) return { ok: false, error: `${prefix.decoder}: ${firstError}` };
  return { ok: true, empty: false, values };
}

/** Typed accessors over decoded values, returning Go zero values when absent. */
export function str(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  return typeof v === 'string' ? v : '';
}

export function bool(values: Record<string, unknown>, name: string): boolean {
  return values[name] === true;
}

export function int(values: Record<string, unknown>, name: string): number {
  const v = values[name];
  return typeof v === 'number' ? v : 0;
}

export function strings(values: Record<string, unknown>, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v.map((item) => (typeof item === 'string' ? item : '')) : [];
}
