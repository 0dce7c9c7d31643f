import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The repository stands alone: someone who clones it can run every test and follow every
// citation. Tests read fixtures from test/fixtures; comments cite Vault/OpenBao/AWS sources and
// versions or public docs, never a team document or a path on one machine.

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SELF = relative(ROOT, fileURLToPath(import.meta.url))
  .split(sep)
  .join('/');
const SCANNED_DIRS = ['shared', 'functions', 'test', 'infra', '.ci'];
const SCANNED_FILES = ['README.md', 'package.json', 'serverless.yml', 'tsconfig.json'];
const TEXT = /\.(ts|tsx|js|cjs|mjs|json|ya?ml|md|bicep|sh)$|^run$/;

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    if (name === 'node_modules') return [];
    const rel = `${dir}/${name}`;
    if (statSync(join(ROOT, rel)).isDirectory()) return files(rel);
    return TEXT.test(name) ? [rel] : [];
  });
}

const scanned = [...SCANNED_DIRS.flatMap(files), ...SCANNED_FILES].filter((f) => f !== SELF);
const texts = scanned.map((file) => ({ file, lines: readFileSync(join(ROOT, file), 'utf8').split('\n') }));

/** Each `file:line: text` whose line matches `test`. */
function offending(test: (line: string, file: string) => boolean): string[] {
  return texts.flatMap(({ file, lines }) => lines.flatMap((line, i) => (test(line, file) ? [`${file}:${i + 1}: ${line.trim().slice(0, 160)}`] : [])));
}

/** Relative paths in quotes (`'../x'`), resolved from the file that names them. */
function escapesRepository(line: string, file: string): boolean {
  for (const match of line.matchAll(/['"`]((?:\.\.?\/)+[^'"`\s$]*)['"`]/g)) {
    const target = resolve(ROOT, dirname(file), match[1]!);
    if (relative(ROOT, target).startsWith('..')) return true;
  }
  return false;
}

/**
 * A line naming a Markdown document that is not in the repository — resolved from the file that
 * names it, or from the root — unless that name says where it is: it is part of an address, or it
 * is followed (in the same clause) by a source repository's version
 * (`docs/configuration.md in prometheus/alertmanager @ v0.25.0`).
 */
function citesMissingDocument(line: string, file: string): boolean {
  const addresses = [...line.matchAll(/https?:\/\/\S+/g)].map((m) => [m.index, m.index + m[0].length] as const);
  for (const match of line.matchAll(/([\w./-]*[\w-]+\.md)\b/g)) {
    const name = match[1]!;
    const at = match.index;
    if (addresses.some(([start, end]) => at >= start && at < end)) continue;
    if (/^[^;,]*?@\s*v?\d/.test(line.slice(at + name.length))) continue;
    if (![resolve(ROOT, dirname(file), name), resolve(ROOT, name)].some((path) => existsSync(path))) return true;
  }
  return false;
}

describe('the repository stands alone', () => {
  it('scans the sources, tests and docs', () => {
    expect(scanned.length).toBeGreaterThan(400);
    expect(scanned).toContain('test/integration/api/hooks-alertmanager.test.ts');
  });

  it('names no absolute path of the machine it was written on', () => {
    const parent = dirname(ROOT.replace(/[\\/]$/, ''));
    const machinePaths = [`${parent}/`, ['', 'work', ''].join('/'), '/home/', '/Users/', '/root/'].filter((p) => p !== '//');
    expect(offending((line) => machinePaths.some((p) => line.includes(p)))).toEqual([]);
  });

  it('names no relative path that leaves the repository', () => {
    expect(offending(escapesRepository)).toEqual([]);
  });

  it('cites no document that is not in the repository', () => {
    // The rule itself: a document named without its place is one the reader cannot open.
    expect(citesMissingDocument('// as team-notes.md says', 'shared/core/a.ts')).toBe(true);
    expect(citesMissingDocument('// see README.md', 'shared/core/a.ts')).toBe(false);
    expect(citesMissingDocument('`docs/configuration.md` in prometheus/alertmanager @ v0.25.0', 'test/fixtures/x/README.md')).toBe(false);
    expect(citesMissingDocument('// from https://example.com/docs/api.md', 'shared/core/a.ts')).toBe(false);
    // An address or a version elsewhere on the line does not excuse a document named apart from it.
    expect(citesMissingDocument('// see design.md; https://developer.hashicorp.com/vault/api-docs', 'shared/core/a.ts')).toBe(true);
    expect(citesMissingDocument('// design.md, and vault/seal.go @ v1.14.9', 'shared/core/a.ts')).toBe(true);
    expect(offending(citesMissingDocument)).toEqual([]);
    // Sections of such documents, cited by number or nickname, cannot be followed either.
    expect(offending((line) => /\bthe sheet\b|§\s*\d/i.test(line))).toEqual([]);
  });

  it('keeps every fixture a test reads under test/fixtures', () => {
    // Together with the two path checks above: data files live in test/fixtures (code helpers
    // such as channel-fixtures.ts stay beside their tests), and no test reaches outside the repo.
    const dataFiles = files('test').filter((f) => !/\.(ts|tsx)$/.test(f));
    expect(dataFiles.length).toBeGreaterThan(5);
    expect(dataFiles.filter((f) => !f.startsWith('test/fixtures/'))).toEqual([]);
    expect(dataFiles).toContain('test/fixtures/alertmanager/firing-amtool-alert-add.json');
  });
});
