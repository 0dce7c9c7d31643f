import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

// The import graph of the repository's own TypeScript, read from source text. The TypeScript 7
// compiler is a native binary without a stable JS API, and esbuild drops `import type`, so a small
// scanner reads module specifiers itself: static imports (type-only included), `export … from`,
// `import('…')` in code and in type positions, and `require('…')`. Comments, strings and template
// text are skipped so an import written in a comment or a string is not an edge.

export interface ImportEdge {
  readonly from: string; // repository-relative path with forward slashes
  readonly specifier: string; // as written
  readonly to: string | null; // resolved repository-relative file, null for packages and built-ins
  readonly line: number;
  /** Names bound by a static import or re-export (`default` for a default import, `*` for a
   *  namespace); empty for side-effect and dynamic imports. */
  readonly names: readonly string[];
}

const REGEX_PRECEDERS = new Set(['(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^']);
const REGEX_KEYWORDS = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await']);

/** Replaces comments with spaces and the contents of strings, templates and regexes with `_`, keeping
 *  quotes, newlines and offsets, so the result can be searched for import syntax safely. Module
 *  specifiers are recovered from the original text at the same offsets. */
export function maskSource(source: string): string {
  const out = source.split('');
  const blank = (from: number, to: number, fill: string) => {
    for (let k = from; k < to; k += 1) if (out[k] !== '\n') out[k] = fill;
  };
  let i = 0;
  let lastSignificant = '';
  let lastWord = '';
  const braceStack: Array<'code' | 'template'> = [];
  const scanTemplate = (start: number): number => {
    // start is just after a backtick or after the `}` closing an interpolation
    let k = start;
    while (k < source.length) {
      const c = source[k];
      if (c === '\\') {
        k += 2;
        continue;
      }
      if (c === '`') {
        blank(start, k, '_');
        return k + 1;
      }
      if (c === '$' && source[k + 1] === '{') {
        blank(start, k, '_');
        braceStack.push('template');
        return k + 2;
      }
      k += 1;
    }
    blank(start, k, '_');
    return k;
  };
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end === -1 ? source.length : end;
      blank(i, stop, ' ');
      i = stop;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      blank(i, stop, ' ');
      i = stop;
      continue;
    }
    if (c === '"' || c === "'") {
      let k = i + 1;
      while (k < source.length && source[k] !== c && source[k] !== '\n') k += source[k] === '\\' ? 2 : 1;
      blank(i + 1, k, '_');
      i = k + 1;
      lastSignificant = c;
      lastWord = '';
      continue;
    }
    if (c === '`') {
      i = scanTemplate(i + 1);
      lastSignificant = '`';
      lastWord = '';
      continue;
    }
    if (c === '{') {
      braceStack.push('code');
      i += 1;
      lastSignificant = c;
      lastWord = '';
      continue;
    }
    if (c === '}') {
      const kind = braceStack.pop();
      if (kind === 'template') {
        i = scanTemplate(i + 1);
        lastSignificant = '`';
        lastWord = '';
        continue;
      }
      i += 1;
      lastSignificant = c;
      lastWord = '';
      continue;
    }
    if (c === '/' && (lastSignificant === '' || REGEX_PRECEDERS.has(lastSignificant) || REGEX_KEYWORDS.has(lastWord))) {
      let k = i + 1;
      let inClass = false;
      while (k < source.length && source[k] !== '\n') {
        const r = source[k];
        if (r === '\\') {
          k += 2;
          continue;
        }
        if (r === '[') inClass = true;
        else if (r === ']') inClass = false;
        else if (r === '/' && !inClass) break;
        k += 1;
      }
      blank(i + 1, k, '_');
      i = k + 1;
      lastSignificant = '/';
      lastWord = '';
      continue;
    }
    if (/[A-Za-z0-9_$]/.test(c)) {
      let k = i;
      while (k < source.length && /[A-Za-z0-9_$]/.test(source[k]!)) k += 1;
      lastWord = source.slice(i, k);
      lastSignificant = 'a';
      i = k;
      continue;
    }
    if (!/\s/.test(c)) {
      lastSignificant = c;
      lastWord = '';
    }
    i += 1;
  }
  return out.join('');
}

const SPECIFIER_PATTERNS: readonly RegExp[] = [
  // import x from '…', import type { X } from '…', import * as x from '…', import x, { y } from '…'
  /(?:^|[;\s}])import\s+(?:type\s+)?[\w$*{}\s,]*?\s*from\s*(['"])/g,
  // import '…' (side effects)
  /(?:^|[;\s}])import\s*(['"])/g,
  // export * from '…', export { x } from '…', export type { X } from '…', export * as ns from '…'
  /(?:^|[;\s}])export\s+(?:type\s+)?(?:\*(?:\s+as\s+[\w$]+)?|\{[^}]*\})\s*from\s*(['"])/g,
  // import('…') in code or in a type position
  /(?<![\w$.])import\s*\(\s*(['"])/g,
  /(?<![\w$.])require\s*\(\s*(['"])/g,
];

/** The module specifiers a source file names, with their line numbers. */
export function moduleSpecifiers(source: string): Array<{ specifier: string; line: number; names: string[] }> {
  const masked = maskSource(source);
  const found = new Map<number, { specifier: string; names: string[] }>();
  for (const pattern of SPECIFIER_PATTERNS) {
    for (const match of masked.matchAll(pattern)) {
      const quoteAt = match.index + match[0].length - 1;
      const close = source.indexOf(source[quoteAt]!, quoteAt + 1);
      if (close === -1 || found.has(quoteAt)) continue;
      found.set(quoteAt, { specifier: source.slice(quoteAt + 1, close), names: boundNames(match[0]) });
    }
  }
  return [...found.entries()].sort(([a], [b]) => a - b).map(([at, found]) => ({ ...found, line: source.slice(0, at).split('\n').length }));
}

/** The names an import/export clause binds: `import a, { b as c, type D } from` → default, b, D. */
function boundNames(statement: string): string[] {
  const clause = /(?:import|export)\s+(?:type\s+)?([\s\S]*?)\s*from\s*['"]$/.exec(statement.trim())?.[1];
  if (clause === undefined) return [];
  const names: string[] = [];
  const braces = /\{([^}]*)\}/.exec(clause);
  const outside = clause
    .replace(/\{[^}]*\}/, '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  for (const part of outside) names.push(part.startsWith('*') ? '*' : 'default');
  for (const part of braces?.[1]?.split(',') ?? []) {
    const name = part
      .trim()
      .replace(/^type\s+/, '')
      .split(/\s+as\s+/)[0]
      ?.trim();
    if (name) names.push(name);
  }
  return names;
}

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.js', '.mjs', '.cjs'];

function listSources(root: string, dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) files.push(...listSources(root, rel));
    else if (SOURCE_EXTENSIONS.some((ext) => name.endsWith(ext)) && !name.endsWith('.d.ts')) files.push(rel);
  }
  return files;
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}

function resolveRelative(root: string, fromFile: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = resolve(root, dirname(fromFile), specifier);
  const candidates = [
    base,
    ...SOURCE_EXTENSIONS.map((ext) => base + ext),
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.js$/, '.tsx'),
    ...SOURCE_EXTENSIONS.map((ext) => join(base, `index${ext}`)),
  ];
  for (const candidate of candidates) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return toPosix(relative(root, candidate));
  }
  return toPosix(relative(root, base)); // unresolved: kept so a rule can still see where it points
}

/** Every import edge of the source files under `dirs` (repository-relative). */
export function importGraph(root: string, dirs: readonly string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of dirs.flatMap((dir) => listSources(root, dir))) {
    const from = toPosix(file);
    for (const { specifier, line, names } of moduleSpecifiers(readFileSync(join(root, file), 'utf8'))) {
      edges.push({ from, specifier, to: resolveRelative(root, file, specifier), line, names });
    }
  }
  return edges;
}
