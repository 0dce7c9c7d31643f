import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';

/** Where references are resolved from; injected so tests never touch the real env or disk. */
export interface ReferenceContext {
  env: Record<string, string | undefined>;
  /** Directory of the config file: relative `${file:...}`, `caFile` and `keyFile` start here. */
  baseDir: string;
  /** Whole file as UTF-8 text, or undefined when it cannot be read. */
  readFile: (absolutePath: string) => string | undefined;
  /** Fetches `${ssm:}` / `${secretsmanager:}` values at first use; absent: they fail when used. */
  remoteSecrets?: RemoteSecretResolver;
  /** Clock for the remote-secret cache (default `Date.now`). */
  now?: () => number;
  /** How long a remote value is reused (default 5 minutes). */
  secretTtlMs?: number;
}

/** A secret kept in AWS (SSM Parameter Store or Secrets Manager), resolved at first use, not at load. */
export interface RemoteSecretReference {
  kind: 'ssm' | 'secretsmanager';
  /** Parameter name (`/path/name`) or secret name / ARN. */
  name: string;
  /** Secrets Manager only: the key to read from a JSON secret string. */
  jsonKey?: string;
}

/** Fetches a remote secret's current value (see `createAwsSecretResolver`). */
export type RemoteSecretResolver = (reference: RemoteSecretReference) => Promise<string>;

export type Reference = { kind: 'env'; name: string } | { kind: 'file'; path: string } | RemoteSecretReference;

export type Resolution = { ok: true; value: string; reference: Reference | undefined } | { ok: false; message: string };

const WHOLE_REFERENCE = /^\$\{([a-z]+):([^}]*)\}$/;
const EMBEDDED_REFERENCE = /\$\{(env|file|ssm|secretsmanager):/;
const SHELL_STYLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Parameter names (`/a/b`, `a.b-c`) or parameter ARNs, optionally with a `:version` selector.
const SSM_NAME = /^[A-Za-z0-9_.\-/:]{1,2048}$/;
// Secret names (`team/app`, `a+b=c@d`) or secret ARNs.
const SECRET_NAME = /^[A-Za-z0-9/_+=.@:-]{1,2048}$/;
const KINDS = '${env:NAME}, ${file:PATH}, ${ssm:/NAME} or ${secretsmanager:NAME}';

/**
 * Recognises `${env:NAME}`, `${file:PATH}`, `${ssm:/NAME}` and `${secretsmanager:NAME[#jsonKey]}`.
 * A reference must be the whole value: splicing into
 * a longer string would make it unclear which part is secret.
 */
export function parseReference(value: string): { ok: true; reference: Reference | undefined } | { ok: false; message: string } {
  const whole = WHOLE_REFERENCE.exec(value);
  if (whole) {
    const [, kind = '', body = ''] = whole;
    if (kind === 'env') {
      if (!ENV_NAME.test(body)) return { ok: false, message: 'invalid environment variable name in ${env:...}' };
      return { ok: true, reference: { kind: 'env', name: body } };
    }
    if (kind === 'file') {
      if (body.trim() === '') return { ok: false, message: '${file:...} needs a path' };
      return { ok: true, reference: { kind: 'file', path: body } };
    }
    if (kind === 'ssm') {
      if (!SSM_NAME.test(body)) return { ok: false, message: 'invalid parameter name in ${ssm:...}' };
      return { ok: true, reference: { kind: 'ssm', name: body } };
    }
    if (kind === 'secretsmanager') {
      const hash = body.indexOf('#');
      const name = hash === -1 ? body : body.slice(0, hash);
      const jsonKey = hash === -1 ? undefined : body.slice(hash + 1);
      if (!SECRET_NAME.test(name)) return { ok: false, message: 'invalid secret name in ${secretsmanager:...}' };
      if (jsonKey === '') return { ok: false, message: '${secretsmanager:NAME#KEY} needs a key after #' };
      return { ok: true, reference: { kind: 'secretsmanager', name, ...(jsonKey === undefined ? {} : { jsonKey }) } };
    }
    return { ok: false, message: `unknown reference kind '${kind}': use ${KINDS}` };
  }
  const shell = SHELL_STYLE.exec(value);
  if (shell) return { ok: false, message: `write \${env:${shell[1] ?? ''}} to read an environment variable` };
  if (EMBEDDED_REFERENCE.test(value)) {
    return { ok: false, message: 'a reference must be the whole value, not part of a longer string' };
  }
  return { ok: true, reference: undefined };
}

/** The reference as written, e.g. `${secretsmanager:team/app#token}`: safe to show, it names no value. */
export function describeReference(reference: Reference): string {
  switch (reference.kind) {
    case 'env':
      return `\${env:${reference.name}}`;
    case 'file':
      return `\${file:${reference.path}}`;
    case 'ssm':
      return `\${ssm:${reference.name}}`;
    case 'secretsmanager':
      return `\${secretsmanager:${reference.name}${reference.jsonKey === undefined ? '' : `#${reference.jsonKey}`}}`;
  }
}

/** Absolute path of a path written in the config file (relative to the file's directory). */
export function configRelativePath(context: ReferenceContext, path: string): string {
  return resolvePath(context.baseDir, path);
}

/**
 * The value a config string stands for: itself, or what its reference points at. File contents
 * lose trailing newlines (editors add them). Messages name the variable or file, never a value.
 */
export function resolveValue(value: string, context: ReferenceContext): Resolution {
  const parsed = parseReference(value);
  if (!parsed.ok) return parsed;
  const reference = parsed.reference;
  if (reference === undefined) return { ok: true, value, reference };
  if (reference.kind === 'env') {
    const found = context.env[reference.name];
    if (found === undefined) return { ok: false, message: `environment variable ${reference.name} is not set` };
    if (found === '') return { ok: false, message: `environment variable ${reference.name} is empty` };
    return { ok: true, value: found, reference };
  }
  if (reference.kind !== 'file') {
    return { ok: false, message: `${describeReference(reference)} is resolved at run time, so it is only allowed for secrets` };
  }
  const absolute = configRelativePath(context, reference.path);
  const text = context.readFile(absolute);
  if (text === undefined) return { ok: false, message: `cannot read file ${absolute}` };
  const trimmed = text.replace(/(?:\r?\n)+$/, '');
  if (trimmed === '') return { ok: false, message: `file ${absolute} is empty` };
  return { ok: true, value: trimmed, reference };
}

/** The default `readFile`: synchronous, because validation is one synchronous pass. */
export function readTextFile(absolutePath: string): string | undefined {
  try {
    return readFileSync(absolutePath, 'utf8');
  } catch {
    return undefined;
  }
}
