import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles, layerViolations } from '../../support/dependency-rules.ts';
import { importGraph } from '../../support/import-graph.ts';

// The dependency rule, checked on the repository itself with no exceptions: pure core and ports,
// adapters that never reach up into app/ or api/, an API that receives adapters instead of
// importing them, no import cycles, entry points that stand alone (README, Architecture).

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const edges = importGraph(ROOT, ['shared', 'functions']);

describe('import graph of shared/ and functions/', () => {
  it('reads the whole graph', () => {
    // A scanner that silently found nothing would pass every rule below.
    expect(new Set(edges.map((e) => e.from)).size).toBeGreaterThan(200);
    expect(edges.filter((e) => e.to !== null).length).toBeGreaterThan(1000);
  });

  it('keeps every layer rule', () => {
    expect(layerViolations(edges).map((v) => `${v.rule}: ${v.detail}`)).toEqual([]);
  });

  it('has no import cycle (type imports included)', () => {
    expect(importCycles(edges).map((c) => `${c.example.join(' -> ')} (all of: ${c.files.join(', ')})`)).toEqual([]);
  });
});
