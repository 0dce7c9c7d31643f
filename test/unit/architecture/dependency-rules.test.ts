import { describe, expect, it } from 'vitest';
import { importCycles, layerViolations } from '../../support/dependency-rules.ts';
import { maskSource, moduleSpecifiers, type ImportEdge } from '../../support/import-graph.ts';

// The rule checker must be able to fail: each rule is shown catching a breach of it.

function edge(from: string, to: string | null, specifier = to ?? '', names: string[] = ['x']): ImportEdge {
  return { from, to, specifier, line: 1, names };
}

describe('moduleSpecifiers', () => {
  it('finds static, type-only, re-export, side-effect and dynamic imports', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type { B } from './b.ts';",
      "import c, { type D, e as f } from './c.ts';",
      "import * as g from './g.ts';",
      "import './side-effect.ts';",
      "export { h } from './h.ts';",
      "export type { I } from './i.ts';",
      "export * from './j.ts';",
      'import {',
      '  k, // a comment',
      "  l } from './kl.ts';",
      "const m = await import('./m.ts');",
      "type N = import('./n.ts').N;",
    ].join('\n');
    expect(moduleSpecifiers(source).map((s) => s.specifier)).toEqual([
      './a.ts',
      './b.ts',
      './c.ts',
      './g.ts',
      './side-effect.ts',
      './h.ts',
      './i.ts',
      './j.ts',
      './kl.ts',
      './m.ts',
      './n.ts',
    ]);
    const names = Object.fromEntries(moduleSpecifiers(source).map((s) => [s.specifier, s.names]));
    expect([names['./c.ts'], names['./g.ts'], names['./kl.ts'], names['./i.ts']]).toEqual([['default', 'D', 'e'], ['*'], ['k', 'l'], ['I']]);
  });

  it('ignores imports written in comments, strings, templates and regexes', () => {
    const source = [
      "// import { a } from './comment.ts';",
      "/* export * from './block.ts'; */",
      'const s = "import x from \'./string.ts\'";',
      "const t = `import('./template.ts') ${ \"import './nested.ts'\" }`;",
      "const r = /import '.\\/regex.ts'/;",
      "import { real } from './real.ts';",
    ].join('\n');
    expect(moduleSpecifiers(source).map((s) => s.specifier)).toEqual(['./real.ts']);
  });

  it('keeps offsets and line numbers while masking', () => {
    const source = "const a = 'x'; // c\nimport b from './b.ts';";
    expect(maskSource(source)).toHaveLength(source.length);
    expect(moduleSpecifiers(source)).toEqual([{ specifier: './b.ts', line: 2, names: ['default'] }]);
  });
});

describe('layerViolations', () => {
  it('accepts the allowed directions', () => {
    expect(
      layerViolations([
        edge('shared/core/a.ts', 'shared/core/b.ts'),
        edge('shared/ports/p.ts', 'shared/core/b.ts'),
        edge('shared/adapters/x.ts', 'shared/ports/p.ts'),
        edge('shared/app/s.ts', 'shared/ports/p.ts'),
        edge('shared/api/r.ts', 'shared/app/s.ts'),
        edge('shared/runtime/w.ts', 'shared/adapters/x.ts'),
        edge('functions/api/handler.ts', 'functions/api/io.ts'),
        edge('shared/core/share-validation.ts', null, 'node:crypto', ['createHmac']),
      ]),
    ).toEqual([]);
  });

  it.each([
    ['core importing config', edge('shared/core/incidents/policy.ts', 'shared/config/types.ts'), 'core is pure'],
    ['core importing a port', edge('shared/core/a.ts', 'shared/ports/p.ts'), 'core is pure'],
    ['ports importing app', edge('shared/ports/p.ts', 'shared/app/s.ts'), 'ports is pure'],
    ['core importing an SDK', edge('shared/core/a.ts', null, '@aws-sdk/client-kms', ['KMSClient']), 'core is pure'],
    ['core importing hono', edge('shared/core/a.ts', null, 'hono', ['Hono']), 'core is pure'],
    ['core doing file I/O', edge('shared/core/a.ts', null, 'node:fs', ['readFileSync']), 'core is pure'],
    ['core drawing randomness', edge('shared/core/a.ts', null, 'node:crypto', ['randomBytes']), 'core is pure'],
    ['ports importing a package', edge('shared/ports/p.ts', null, 'zod', ['z']), 'ports is pure'],
    ['an adapter implementing an app interface', edge('shared/adapters/x.ts', 'shared/app/vault-token.ts'), 'adapters implement ports'],
    ['an adapter importing the api', edge('shared/adapters/x.ts', 'shared/api/app-deps.ts'), 'adapters implement ports'],
    ['the api importing an adapter', edge('shared/api/create-app.ts', 'shared/adapters/system-clock.ts'), 'api receives adapters'],
    ['the api importing the runtime', edge('shared/api/create-app.ts', 'shared/runtime/create-runtime.ts'), 'api receives adapters'],
    ['one entry point importing another', edge('functions/api/handler.ts', 'functions/cli/io.ts'), 'entry points stand alone'],
    ['shared code importing an entry point', edge('shared/app/s.ts', 'functions/cli/io.ts'), 'entry points stand alone'],
  ])('rejects %s', (_what, breach, rule) => {
    expect(layerViolations([breach]).map((v) => v.rule)).toEqual([rule]);
  });

  it('core imports only what it uses of an allowed package', () => {
    expect(layerViolations([edge('shared/core/a.ts', null, 'shamir-secret-sharing', ['combine', 'split'])])[0]?.detail).toContain('(split)');
  });
});

describe('importCycles', () => {
  it('reports each cycle with its files and one path round it', () => {
    const cycles = importCycles([
      edge('shared/ports/certificate-probe.ts', 'shared/ports/vault-client.ts'),
      edge('shared/ports/vault-client.ts', 'shared/ports/certificate-probe.ts'),
      edge('shared/simulator/a.ts', 'shared/simulator/b.ts'),
      edge('shared/simulator/b.ts', 'shared/simulator/c.ts'),
      edge('shared/simulator/c.ts', 'shared/simulator/a.ts'),
      edge('shared/simulator/c.ts', 'shared/simulator/d.ts'),
      edge('shared/app/x.ts', null, 'hono'),
    ]);
    expect(cycles).toEqual([
      {
        files: ['shared/ports/certificate-probe.ts', 'shared/ports/vault-client.ts'],
        example: ['shared/ports/certificate-probe.ts', 'shared/ports/vault-client.ts', 'shared/ports/certificate-probe.ts'],
      },
      {
        files: ['shared/simulator/a.ts', 'shared/simulator/b.ts', 'shared/simulator/c.ts'],
        example: ['shared/simulator/a.ts', 'shared/simulator/b.ts', 'shared/simulator/c.ts', 'shared/simulator/a.ts'],
      },
    ]);
  });

  it('finds none in a chain', () => {
    expect(importCycles([edge('a.ts', 'b.ts'), edge('b.ts', 'c.ts')])).toEqual([]);
  });
});
