import type { ZodError, ZodType } from 'zod';
import type { ConfigProblem } from '../errors.ts';

type Issue = ZodError['issues'][number];
type Segment = PropertyKey;

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** `['clusters', 0, 'nodes', 1, 'url']` -> `clusters[0].nodes[1].url` (root is `''`). */
export function formatPath(path: readonly Segment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const key = String(segment);
      out += PLAIN_KEY.test(key) ? (out === '' ? key : `.${key}`) : `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

/**
 * Turns zod issues into problems worded for someone editing YAML. Messages name keys and expected
 * types, never the offending value (it may be a misplaced secret).
 */
export function issuesToProblems(issues: readonly Issue[], raw: unknown, schema: ZodType): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, issue.path);
      for (const key of issue.keys) {
        const suggestion = suggest(key, known);
        problems.push({
          path: formatPath([...issue.path, key]),
          message: `unknown key${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}`,
        });
      }
    } else if (issue.code === 'invalid_type') {
      const value = valueAt(raw, issue.path);
      // A fractional number fails `.int()` as a type issue; the schema's own range message says more.
      const fractional = issue.expected === 'int' && typeof value === 'number';
      problems.push({
        path: formatPath(issue.path),
        message: value === undefined ? 'is required' : fractional ? issue.message : `must be ${describeType(issue.expected)}, not ${describeValue(value)}`,
      });
    } else {
      problems.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return problems;
}

/**
 * Drops exact duplicates and orders problems as they appear in the document (the raw parsed
 * value keeps key order), so fixing them top to bottom works; problems at the root come first.
 */
export function orderProblems(problems: readonly ConfigProblem[], raw: unknown): ConfigProblem[] {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique
    .map((problem, index) => ({ problem, index, key: splitPath(problem.path) }))
    .sort((a, b) => compareInDocument(a.key, b.key, raw) || a.index - b.index)
    .map((entry) => entry.problem);
}

function splitPath(path: string): (string | number)[] {
  return path
    .split(/[.[\]]+/)
    .filter((part) => part !== '')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function compareInDocument(a: (string | number)[], b: (string | number)[], raw: unknown): number {
  let node = raw;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as string | number;
    const y = b[i] as string | number;
    if (x !== y) {
      if (typeof x === 'number' && typeof y === 'number') return x - y;
      if (typeof x === 'number' || typeof y === 'number') return typeof x === 'number' ? -1 : 1;
      const keys = node !== null && typeof node === 'object' ? Object.keys(node) : [];
      const rank = (key: string) => (keys.includes(key) ? keys.indexOf(key) : keys.length);
      return rank(x) - rank(y) || (x < y ? -1 : 1);
    }
    node = valueAt(node, [x]);
  }
  return a.length - b.length;
}

function valueAt(raw: unknown, path: readonly Segment[]): unknown {
  let current = raw;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function describeType(expected: string): string {
  switch (expected) {
    case 'object':
    case 'record':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'boolean':
      return 'true or false';
    case 'number':
    case 'int':
      return 'a number';
    default:
      return `a ${expected}`;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'boolean') return 'true/false';
  return `a ${typeof value}`;
}

interface DefLike {
  type?: string;
  shape?: Record<string, ZodType>;
  innerType?: ZodType;
  in?: ZodType;
  element?: ZodType;
  valueType?: ZodType;
}

function defOf(schema: ZodType): DefLike {
  return (schema as unknown as { _zod: { def: DefLike } })._zod.def;
}

/** Keys the schema allows at a path, found by walking zod's schema definitions. */
function knownKeysAt(schema: ZodType, path: readonly Segment[]): string[] {
  let current: ZodType | undefined = unwrap(schema);
  for (const segment of path) {
    if (current === undefined) return [];
    const def = defOf(current);
    if (def.type === 'object') current = def.shape?.[String(segment)];
    else if (def.type === 'array') current = def.element;
    else if (def.type === 'record') current = def.valueType;
    else return [];
    current = current === undefined ? undefined : unwrap(current);
  }
  const shape = current === undefined ? undefined : defOf(current).shape;
  return shape === undefined ? [] : Object.keys(shape);
}

function unwrap(schema: ZodType): ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    const next = def.type === 'pipe' ? def.in : def.innerType;
    if (next === undefined) return current;
    current = next;
  }
}

/** The closest known key, if one is close enough to be a typo (case, transposition, few edits). */
export function suggest(key: string, known: readonly string[]): string | undefined {
  const limit = key.length <= 4 ? 1 : 2;
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

// Optimal string alignment distance: Levenshtein plus adjacent transpositions ("tsl" -> "tls").
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => rows[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = value;
    }
  }
  return at(a.length, b.length);
}
