import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alertDocument, boundKey, evidenceEntries, headline, oneLine, subject, toAscii, truncate, truncateBytes } from '../../../shared/adapters/alert-text.ts';
import type { Notification } from '../../../shared/ports/alert-channel.ts';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const base: Notification = {
  id: 'n1',
  kind: 'trigger',
  dedupKey: 'sealwatch:c:n:f',
  severity: 'warning',
  title: 'c/n is standby-unhealthy',
  message: 'm',
  cluster: 'c',
  node: 'n',
  findingId: 'f',
  evidence: { a: 1, b: null, c: [1, 'x'], d: false },
  openedAt: '2026-01-01T00:00:00.000Z',
  occurredAt: '2026-01-01T00:01:00.000Z',
};

describe('truncate', () => {
  it('leaves text within the limit alone', () => {
    expect(truncate('hello', 5)).toBe('hello');
    expect(truncate('', 0)).toBe('');
  });

  it('cuts to exactly the limit, ending in an ellipsis', () => {
    expect(truncate('hello world', 8)).toBe('hello w…');
    expect(truncate('hello world', 8, '...')).toBe('hello...');
    expect(truncate('hello', 1)).toBe('…');
    expect(truncate('hello', 0)).toBe('');
  });

  it('never splits a surrogate pair and never exceeds the limit (UTF-16 units)', () => {
    expect(truncate('ab😀cd', 4)).toBe('ab…');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.integer({ min: 0, max: 60 }), (text, max) => {
        const out = truncate(text, max);
        expect(out.length).toBeLessThanOrEqual(Math.max(max, 0));
        expect(out).not.toMatch(LONE_SURROGATE);
        if (text.length <= max) expect(out).toBe(text);
        else if (max > 1) expect(text.startsWith(out.slice(0, -1))).toBe(true);
      }),
    );
  });
});

describe('truncateBytes', () => {
  it('keeps UTF-8 size within the limit on code-point boundaries', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.integer({ min: 3, max: 120 }), (text, max) => {
        const out = truncateBytes(text, max);
        expect(Buffer.byteLength(out, 'utf8')).toBeLessThanOrEqual(max);
        expect(out).not.toMatch(LONE_SURROGATE);
        if (Buffer.byteLength(text) <= max) expect(out).toBe(text);
        else expect(out.endsWith('…')).toBe(true);
      }),
    );
    expect(truncateBytes('ééé', 5)).toBe('é…');
  });
});

describe('oneLine / toAscii', () => {
  it('turns control characters and line breaks into single spaces', () => {
    expect(oneLine(' a\r\n\tb\u2028c  d ')).toBe('a b c d');
  });

  it('keeps printable ASCII, folds accents, replaces the rest', () => {
    expect(toAscii('Scellé «vault»\n✓')).toBe('Scelle ?vault? ?');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(toAscii(s)).toMatch(/^[\x20-\x7e]*$/);
      }),
    );
  });
});

describe('boundKey', () => {
  it('keeps short keys', () => {
    expect(boundKey('sealwatch:a:b:c', 255)).toBe('sealwatch:a:b:c');
  });

  it('bounds long keys stably and keeps keys with a shared prefix apart', () => {
    const a = `${'x'.repeat(300)}:a`;
    const b = `${'x'.repeat(300)}:b`;
    expect(boundKey(a, 255)).toHaveLength(255);
    expect(boundKey(a, 255)).toBe(boundKey(a, 255));
    expect(boundKey(a, 255)).not.toBe(boundKey(b, 255));
    expect(boundKey(a, 255).startsWith('x'.repeat(200))).toBe(true);
  });
});

describe('notification wording', () => {
  it('prefixes the kind', () => {
    expect(headline(base)).toBe('c/n is standby-unhealthy');
    expect(headline({ ...base, kind: 'reminder' })).toBe('Reminder: c/n is standby-unhealthy');
    expect(headline({ ...base, kind: 'resolve' })).toBe('Resolved: c/n is standby-unhealthy');
    expect(headline({ ...base, kind: 'update' })).toBe('Update: c/n is standby-unhealthy');
    expect(headline({ ...base, kind: 'test', title: 'line\none' })).toBe('Test: line one');
  });

  it('renders evidence values for display', () => {
    expect(evidenceEntries(base.evidence)).toEqual([
      ['a', '1'],
      ['b', '-'],
      ['c', '1, x'],
      ['d', 'false'],
    ]);
  });

  it('names cluster/node, or the cluster alone', () => {
    expect(subject(base)).toBe('c/n');
    const { node: _node, ...clusterWide } = base;
    expect(subject(clusterWide)).toBe('c');
    expect(alertDocument(clusterWide).data.node).toBeNull();
  });

  it('builds the machine document with bounded free text', () => {
    const doc = alertDocument({ ...base, kind: 'resolve', message: 'z'.repeat(9000) });
    expect(doc.type).toBe('sealwatch.alert.resolve');
    expect(doc.timestamp).toBe(base.occurredAt);
    expect(String(doc.data.message)).toHaveLength(8000);
    expect(doc.data.links).toEqual([]);
  });
});
