import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configCheckCommand } from '../../../functions/cli/commands/config-check.ts';
import { loadConfig } from '../../../shared/config/load-config.ts';
import { ConfigError } from '../../../shared/errors.ts';
import { fakeIo, FIXTURES } from './fake-io.ts';

const INLINE_SECRET = 'c2VhbHdhdGNoLWlubGluZS1zZWNyZXQtMDEyMzQ1Njc=';

// Acceptance: one file with five different mistakes yields all five, in document order.
const EXPECTED = [
  { path: 'sweep.nodeTimeotMs', message: 'unknown key (did you mean nodeTimeoutMs?)' },
  { path: 'wrappers[0].local.key', message: 'write secrets as ${env:NAME} or ${file:PATH}, not inline' },
  {
    path: 'clusters[0].nodes[1].url',
    message: 'http:// would send unseal shares across the network in clear text: use https://, or set insecureHttp: true (development only)',
  },
  { path: 'clusters[0].custody.shares.aws-backup', message: "wrapper 'aws-backup' is not defined in wrappers" },
  { path: 'clusters[1].id', message: "duplicate cluster id 'prod-eu' (first at clusters[0].id)" },
];

describe('five-mistakes.yaml', () => {
  it('loadConfig reports all five problems with their paths', async () => {
    const error = await loadConfig({ path: join(FIXTURES, 'five-mistakes.yaml'), env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(EXPECTED);
    expect((error as ConfigError).message).not.toContain(INLINE_SECRET);
  });

  it('`config check` prints all five, one per line on stderr, and exits 1', async () => {
    const { io, stdout, stderr } = fakeIo();
    expect(await configCheckCommand(['five-mistakes.yaml'], io)).toBe(1);
    expect(stdout()).toBe('');
    expect(stderr()).toBe(EXPECTED.map((p) => `${p.path}: ${p.message}\n`).join(''));
    expect(stderr()).not.toContain(INLINE_SECRET);
  });
});
