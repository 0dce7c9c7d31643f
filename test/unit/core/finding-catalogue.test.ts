import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINDING_IDS, isKnownFindingId, similarFindingIds } from '../../../shared/core/finding-catalogue.ts';

// The catalogue silences are validated against must hold every finding id the code can raise
// (or a silence on it would be refused) and every one must be documented in the README.

const PREFIXES = 'node|cluster|raft|seal|custody|storage|unseal|auth|alerts|sealwatch';
/**
 * Dotted names in the code that are not findings: an event detail-type, a file name, the test
 * notification, and a log event whose level is chosen at run time (`logger[level]('unseal.node')`).
 */
const NOT_FINDINGS = new Set(['sealwatch.recover', 'sealwatch.yaml', 'alerts.test', 'unseal.node']);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'simulator' ? [] : sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('finding catalogue', () => {
  it('lists every finding id the code raises', () => {
    const raised = new Set<string>();
    for (const file of sources('shared')) {
      const text = readFileSync(file, 'utf8');
      // Logger event names share the dotted shape but are not findings.
      const logged = new Set([...text.matchAll(/\.(?:info|warn|error|debug)\(\s*'([a-z]+\.[a-z-]+)'/g)].map((m) => m[1]));
      for (const m of text.matchAll(new RegExp(`'((?:${PREFIXES})\\.[a-z][a-z-]*)'`, 'g'))) {
        const id = m[1] as string;
        if (!logged.has(id) && !NOT_FINDINGS.has(id)) raised.add(id);
      }
      // Key checks build their ids from a scope and a suffix (`${scope}.key-expiring`).
      for (const m of text.matchAll(/`\$\{scope\}\.([a-z-]+)`|suffix: '([a-z-]+)'/g)) {
        const suffix = (m[1] ?? m[2]) as string;
        raised.add(`seal.${suffix}`).add(`custody.${suffix}`);
      }
    }
    expect(raised.size).toBeGreaterThan(60);
    expect([...raised].filter((id) => !isKnownFindingId(id)).sort()).toEqual([]);
  });

  it('has every id documented in the README', () => {
    const readme = readFileSync('README.md', 'utf8');
    // Custody key checks are documented as "the seal. ones with the custody. prefix".
    const undocumented = FINDING_IDS.filter(
      (id) => !readme.includes(`\`${id.startsWith('custody.key-') || id === 'custody.canary-failed' ? id.replace('custody.', 'seal.') : id}\``),
    );
    expect(undocumented).toEqual([]);
  });

  it('suggests close ids for a typo', () => {
    expect(isKnownFindingId('node.seald')).toBe(false);
    expect(similarFindingIds('node.seald')).toContain('node.sealed');
  });
});
