import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';

/** Where references are resolved from; injected so tests never touch the real env or disk. */
export interface ReferenceContext {
  env: Record<string, string | undefined>;
  /** Directory of the config file: relative `${file:...}`, `caFile` and `keyFile` start here. */
  baseDir: string;
  /** Whole file as UTF-8 text, or undefined when it cannot be read. */
  readFile: (absolutePath: string) => string | undefined;
}

export type Reference = { kind: 'env'; name: string } | { kind: 'file'; path: string };

export type Resolution =
  | { ok: true; value: string; reference: Reference | undefined }
  | { ok: false; message: string };

const WHOLE_REFERENCE = /^\$\{([a-z]+):([^}]*)\}$/;
const EMBEDDED_REFERENCE = /\$\{(env|file):/;
const SHELL_STYLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Recognises `${env:NAME}` and `${file:PATH}`. A reference must be the whole value: splicing into
 * a longer string would make it unclear which part is secret.
 */
export function parseReference(
  value: string,
): { ok: true; reference: Reference | undefined } | { ok: false; message: string } {
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
    return { ok: false, message: `unknown reference kind '${kind}': use \${env:NAME} or \${file:PATH}` };
  }
  const shell = SHELL_STYLE.exec(value);
  if (shell) return { ok: false, message: `write \${env:${shell[1] ?? ''}} to read an environment variable` };
  if (EMBEDDED_REFERENCE.test(value)) {
    return { ok: false, message: 'a reference must be the whole value, not part of a longer string' };
  }
  return { ok: true, reference: undefined };
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
