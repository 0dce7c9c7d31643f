import { describe, expect, it } from 'vitest';
import { defineCommand, requireOption } from '../../../functions/cli/args.ts';
import type { CliIo } from '../../../functions/cli/io.ts';
import { UnavailableError } from '../../../shared/errors.ts';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), readStdin: async () => '', env: {}, cwd: '/' };
  return { value, out, err };
}

const USAGE = 'usage: sealwatch thing --cluster ID [--json]';
const thing = defineCommand({
  usage: USAGE,
  options: { cluster: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values }, cli) {
    const cluster = requireOption(values.cluster, 'cluster', USAGE);
    cli.stdout(values.json ? JSON.stringify({ cluster }) : `cluster ${cluster}`);
    return 0;
  },
});

describe('defineCommand', () => {
  it('runs with parsed, typed values', async () => {
    const t = io();
    expect(await thing(['--cluster', 'prod', '--json'], t.value)).toBe(0);
    expect(t.out.join('')).toBe('{"cluster":"prod"}');
  });

  it.each([['--help'], ['-h']])('prints the usage for %s and exits 0 without running', async (flag) => {
    const t = io();
    expect(await thing([flag], t.value)).toBe(0);
    expect(t.out.join('')).toBe(`${USAGE}\n`);
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [[], '--cluster is required'],
    [['stray'], 'Unexpected argument'],
  ])('turns %j into a usage error on stderr with exit 1', async (argv, message) => {
    const t = io();
    expect(await thing(argv, t.value)).toBe(1);
    expect(t.err.join('')).toContain(message);
    expect(t.err.join('')).toContain(USAGE);
    expect(t.out).toEqual([]);
  });

  it('with --json, a usage error is one JSON line on stderr (the usage text left out)', async () => {
    const t = io();
    expect(await thing(['--json'], t.value)).toBe(1);
    expect(t.out).toEqual([]);
    expect(t.err.join('')).toBe(
      `${JSON.stringify({ error: { command: 'thing', code: 'usage', message: '--cluster is required', hint: 'run `sealwatch thing --help`' } })}\n`,
    );
  });

  it('reports sealwatch errors as one line with the hint, or JSON with --json', async () => {
    const failing = defineCommand({
      usage: 'usage: sealwatch thing [--json]',
      options: { json: { type: 'boolean' } },
      run: async () => {
        throw new UnavailableError('the store is away', { code: 'store_locked', hint: 'wait a little' });
      },
    });
    const text = io();
    expect(await failing([], text.value)).toBe(1);
    expect(text.err.join('')).toBe('sealwatch thing: the store is away — wait a little\n');
    const json = io();
    expect(await failing(['--json'], json.value)).toBe(1);
    expect(JSON.parse(json.err.join(''))).toEqual({ error: { command: 'thing', code: 'store_locked', message: 'the store is away', hint: 'wait a little' } });
  });

  it('lets other errors through', async () => {
    const failing = defineCommand({
      usage: 'u',
      options: {},
      run: async () => {
        throw new Error('boom');
      },
    });
    await expect(failing([], io().value)).rejects.toThrow('boom');
  });
});
