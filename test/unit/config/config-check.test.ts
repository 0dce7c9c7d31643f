import { describe, expect, it } from 'vitest';
import { configCheckCommand } from '../../../functions/cli/commands/config-check.ts';
import { EXAMPLE_ENV, fakeIo, FIXTURES } from './fake-io.ts';

describe('sealwatch config check', () => {
  it('summarises a valid file on stdout, warns about plain-http nodes on stderr, exits 0', async () => {
    const { io, stdout, stderr } = fakeIo(EXAMPLE_ENV);
    expect(await configCheckCommand(['example.yaml'], io)).toBe(0);
    expect(stdout()).toBe('ok: 2 clusters, 4 nodes, 3 wrappers\n');
    expect(stderr()).toBe('warning: cluster dev node vault-0 uses plain http: unseal shares would cross the network in clear text\n');
  });

  it('uses SEALWATCH_CONFIG when no FILE is given', async () => {
    const { io, stdout } = fakeIo({ SEALWATCH_CONFIG: 'valid.json' });
    expect(await configCheckCommand([], io)).toBe(0);
    expect(stdout()).toBe('ok: 1 cluster, 1 node, 1 wrapper\n');
  });

  it('prints {ok, problems} with --json', async () => {
    const good = fakeIo();
    expect(await configCheckCommand(['valid.json', '--json'], good.io)).toBe(0);
    expect(JSON.parse(good.stdout())).toEqual({ ok: true, problems: [] });

    const bad = fakeIo();
    expect(await configCheckCommand(['--json', 'example.yaml'], bad.io)).toBe(1);
    expect(JSON.parse(bad.stdout())).toEqual({
      ok: false,
      problems: [
        { path: 'wrappers[0].local.key', message: 'environment variable SEALWATCH_LOCAL_KEY is not set' },
        { path: 'wrappers[2].azureKeyVault.credential.clientSecret', message: 'environment variable AZURE_CLIENT_SECRET is not set' },
      ],
    });
    expect(bad.stderr()).toBe('');
  });

  it('never prints resolved secrets', async () => {
    const { io, stdout, stderr } = fakeIo({ ...EXAMPLE_ENV, SEALWATCH_LOCAL_KEY: `${EXAMPLE_ENV.SEALWATCH_LOCAL_KEY}-wrong-length` });
    expect(await configCheckCommand(['example.yaml'], io)).toBe(1);
    expect(stderr()).toBe('wrappers[0].local.key: must be 32 bytes written as base64 or hex\n');
    for (const secret of Object.values(EXAMPLE_ENV)) expect(stdout() + stderr()).not.toContain(secret);
  });

  it('explains a missing file and exits 1', async () => {
    const { io, stderr } = fakeIo({}, '/nonexistent-sealwatch-dir');
    expect(await configCheckCommand([], io)).toBe(1);
    expect(stderr()).toBe('config file /nonexistent-sealwatch-dir/sealwatch.yaml does not exist\n');
  });

  it.each([
    ['two files', ['a.yaml', 'b.yaml'], /at most one FILE/],
    ['an unknown flag', ['--jsn'], /Unknown option '--jsn'/],
  ])('rejects %s with usage and exits 1', async (_name, argv, message) => {
    const { io, stderr } = fakeIo();
    expect(await configCheckCommand(argv, io)).toBe(1);
    expect(stderr()).toMatch(message);
    expect(stderr()).toContain('usage: sealwatch config check');
  });

  it('prints usage on --help', async () => {
    const { io, stdout } = fakeIo();
    expect(await configCheckCommand(['--help'], io)).toBe(0);
    expect(stdout()).toContain('usage: sealwatch config check [FILE] [--json]');
  });

  it('resolves FILE against the working directory', async () => {
    const { io, stdout } = fakeIo({}, `${FIXTURES}..`);
    expect(await configCheckCommand(['config/json-content.conf'], io)).toBe(0);
    expect(stdout()).toBe('ok: 1 cluster, 1 node, 0 wrappers\n');
  });
});
