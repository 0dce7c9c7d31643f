import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey, splitKey } from '../../shared/simulator/key-material.ts';
import { createKeysCommand, type CustodyCommandDeps } from '../../functions/cli/commands/keys.ts';
import type { CliIo } from '../../functions/cli/io.ts';
import { createJsonLogger } from '../../shared/adapters/json-logger.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { createCustodyRepository } from '../../shared/app/custody-repository.ts';
import { loadConfig } from '../../shared/config/load-config.ts';
import type { StateStore } from '../../shared/ports/state-store.ts';
import { createRuntime } from '../../shared/runtime/create-runtime.ts';
import { startSimulatedCluster, type SimulatedCluster, type SimulatedInitResult } from '../../shared/simulator/index.ts';
import { startKmsWireServer, type KmsWireKey, type KmsWireServer } from '../support/kms-wire-server.ts';
import { describeLeaks, scanForLeaks, type KnownSecret } from '../support/leak-scan.ts';

// `sealwatch keys import|status|rewrap` run in-process: a YAML config in a temp dir read by the real
// loader, the Vault simulator, the KMS wire server, and a memory state store shared by the
// invocations (so tests can read what was stored). The last test uses the default loader and the
// embedded on-disk store end to end.

let dir: string;
let sim: SimulatedCluster;
let kms: KmsWireServer;
let keyA: KmsWireKey; // holds shares 1,2 of prod
let keyB: KmsWireKey; // holds every share of prod-kms
let store: StateStore;
const LOCAL_KEY = randomBytes(32).toString('base64');
const env = { SEALWATCH_LOCAL_KEY: LOCAL_KEY, AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', SEALWATCH_LOG_LEVEL: 'info' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealwatch-cli-keys-'));
  [sim, kms] = await Promise.all([startSimulatedCluster({ nodes: 2, init: { shares: 5, threshold: 3 } }), startKmsWireServer()]);
  keyA = kms.createKey();
  keyB = kms.createKey();
  await writeFile(join(dir, 'ca.pem'), sim.caPem ?? '');
  const nodes = sim.nodes.map((n) => `      - { id: ${n.id}, url: "${n.url}" }`).join('\n');
  await writeFile(
    join(dir, 'sealwatch.yaml'),
    `state:
  embedded:
    path: ./state
wrappers:
  - id: local-a
    local:
      key: \${env:SEALWATCH_LOCAL_KEY}
  - id: aws
    awsKms: { keyId: "${keyA.arn}", region: ${kms.region}, endpoint: "${kms.endpoint}" }
  - id: aws-b
    awsKms: { keyId: "${keyB.arn}", region: ${kms.region}, endpoint: "${kms.endpoint}" }
clusters:
  - id: prod
    nodes:
${nodes}
    tls: { caFile: ./ca.pem }
    custody:
      default: local-a
      shares:
        aws: [1, 2]
  - id: prod-kms
    nodes:
      - { id: gone, url: "http://127.0.0.1:${await closedPort()}", insecureHttp: true }
    custody: { default: aws-b }
`,
  );
  store = createMemoryStateStore({ clock: systemClock });
});
afterAll(async () => {
  await Promise.all([sim?.close(), kms?.close()]);
  await rm(dir, { recursive: true, force: true });
});

/** A loopback port nothing listens on (taken and released again). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const deps = (): CustodyCommandDeps => ({
  wrapperOptions: { kmsMaxAttempts: 1 },
  async loadRuntime(io, flag) {
    const config = await loadConfig({ path: join(io.cwd, flag ?? 'sealwatch.yaml'), env: io.env });
    const logger = createJsonLogger({ level: 'info', write: (line) => io.stderr(`${line}\n`) });
    return createRuntime({ config, clock: systemClock, logger, store });
  },
});

async function run(argv: string[], stdin = '', d: CustodyCommandDeps = deps()) {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), readStdin: async () => stdin, env: { ...env }, cwd: dir };
  const code = await createKeysCommand(d)(argv, io);
  return { code, out, err };
}

const init = () => sim.init as SimulatedInitResult;
const cliJson = () =>
  JSON.stringify({
    unseal_keys_b64: init().keysBase64,
    unseal_keys_hex: init().keys,
    unseal_shares: 5,
    unseal_threshold: 3,
    recovery_keys_b64: [],
    recovery_keys_hex: [],
    recovery_keys_shares: 0,
    recovery_keys_threshold: 0,
    root_token: init().rootToken,
  });
const secrets = (): KnownSecret[] => [
  ...init().keys.map((k, i) => ({ label: `share ${i + 1}`, value: Uint8Array.from(Buffer.from(k, 'hex')) })),
  { label: 'root token', value: init().rootToken },
];

async function storedText(clusterId: string): Promise<string> {
  const page = await store.query({ pk: `CLUSTER#${clusterId}` });
  return JSON.stringify(page.items);
}

function expectClean(...texts: { source: string; text: string }[]): void {
  const leaks = scanForLeaks(secrets(), texts);
  expect(leaks, describeLeaks(leaks)).toEqual([]);
}

describe('sealwatch keys import', () => {
  it('stores the shares from stdin under their policy wrappers and prints where, never what', async () => {
    const r = await run(['import', '--cluster', 'prod'], cliJson());
    expect(r.err).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^imported 5 unseal shares of cluster prod \(threshold 3 from input, generation 1\)/);
    expect(r.out).toMatch(new RegExp(`\\n\\s+1\\s+aws\\s+${keyA.arn}`));
    expect(r.out).toMatch(/\n\s+5\s+local-a\s+local-[0-9a-f]{8}/);
    expect(r.out).toMatch(/check: all 10 threshold subsets/);
    expect(r.out).toMatch(/root token: ignored/);
    expectClean({ source: 'stdout', text: r.out }, { source: 'stderr', text: r.err }, { source: 'store', text: await storedText('prod') });
  });

  it('refuses a second import, then replaces with --replace (JSON output)', async () => {
    const again = await run(['import', '--cluster', 'prod'], cliJson());
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/sealwatch keys import: cluster prod already has custody \(generation 1.*pass --replace/);
    const replaced = await run(['import', '--cluster', 'prod', '--replace', '--json'], cliJson());
    expect(replaced.code).toBe(0);
    const json = JSON.parse(replaced.out) as { generation: number; replaced: boolean; stored: { index: number; wrapper: string }[] };
    expect(json).toMatchObject({ generation: 2, replaced: true });
    expect(json.stored.map((s) => s.wrapper)).toEqual(['aws', 'aws', 'local-a', 'local-a', 'local-a']);
    expectClean({ source: 'stdout', text: replaced.out }, { source: 'stderr', text: replaced.err });
  });

  it('a replace with shares of another key needs --rekeyed, says so, and writes nothing without it', async () => {
    const other = await splitKey(generateKey(), 5, 3);
    const otherJson = JSON.stringify({
      unseal_keys_b64: other.map((b) => b.toString('base64')),
      unseal_keys_hex: other.map((b) => b.toString('hex')),
      unseal_shares: 5,
      unseal_threshold: 3,
      recovery_keys_b64: [],
      recovery_keys_hex: [],
      recovery_keys_shares: 0,
      recovery_keys_threshold: 0,
      root_token: 'hvs.other',
    });
    const before = await storedText('prod');
    const refused = await run(['import', '--cluster', 'prod', '--replace'], otherJson);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(
      /^sealwatch keys import: these shares rebuild a different key than the custody of cluster prod they would replace \(generation 2, created .*\); nothing was written — if the cluster was rekeyed \(`vault operator rekey`\), import the new shares with --replace --rekeyed/m,
    );
    expect(await storedText('prod')).toBe(before);

    const usage = await run(['import', '--cluster', 'prod', '--rekeyed'], otherJson);
    expect(usage.code).toBe(1);
    expect(usage.err).toContain('--rekeyed goes with --replace');

    const rekeyed = await run(['import', '--cluster', 'prod', '--replace', '--rekeyed', '--json'], otherJson);
    expect(rekeyed.code, rekeyed.err).toBe(0);
    expect(JSON.parse(rekeyed.out)).toMatchObject({ generation: 3, replaced: true, warnings: [] });
    // And back to the cluster's real key (the later tests unwrap and use it); the same key with
    // --rekeyed is allowed, with a warning.
    expect((await run(['import', '--cluster', 'prod', '--replace', '--rekeyed'], cliJson())).code).toBe(0);
    const same = await run(['import', '--cluster', 'prod', '--replace', '--rekeyed', '--json'], cliJson());
    expect(same.code).toBe(0);
    expect((JSON.parse(same.out) as { generation: number; warnings: string[] }).warnings).toContain(
      'a rekey was declared, but these shares rebuild the same key as the custody they replace',
    );
    expect(JSON.parse(same.out)).toMatchObject({ generation: 5 });
  });

  it('--dry-run prints the plan the import then executes, and writes nothing', async () => {
    const before = await storedText('prod');
    const text = await run(['import', '--cluster', 'prod', '--replace', '--dry-run'], cliJson());
    expect(text.code, text.err).toBe(0);
    expect(text.out).toMatch(
      /^dry run: no share or token was wrapped, sent or written\nwould replace custody generation 5 with 5 unseal shares of cluster prod as generation 6 \(threshold 3 from input\)\n/,
    );
    expect(text.out).toMatch(/\n {2}1\. write share 1 \(generation 6\) wrapped by aws\n {5}why: share 1 of 5 \(unseal, threshold 3\) goes under wrapper aws/);
    expect(text.out).toMatch(/\n {2}6\. write metadata generation 6 \(replaces 5\)\n {5}why: .*written last/);
    const dry = await run(['import', '--cluster', 'prod', '--replace', '--dry-run', '--json'], cliJson());
    expect(dry.code, dry.err).toBe(0);
    expect(await storedText('prod')).toBe(before);

    const real = await run(['import', '--cluster', 'prod', '--replace', '--json'], cliJson());
    expect(real.code, real.err).toBe(0);
    const planned = JSON.parse(dry.out) as { dryRun: boolean; generation: number; actions: unknown[] };
    const done = JSON.parse(real.out) as { generation: number; actions: unknown[] };
    expect(planned).toMatchObject({ dryRun: true, generation: 6 });
    expect(done.generation).toBe(6);
    expect(done.actions).toEqual(planned.actions);
    expectClean(
      ...[text, dry, real].flatMap((r) => [
        { source: 'stdout', text: r.out },
        { source: 'stderr', text: r.err },
      ]),
    );
  });

  it.each([
    [['import'], 'init', /--cluster is required/],
    [['import', '--cluster', 'prod'], '  ', /nothing on stdin/],
    [['import', '--cluster', 'prod', '--threshold', 'x'], 'init', /--threshold must be an integer/],
    [['import', '--cluster', 'nope'], 'init', /cluster nope is not in the configuration/],
    [['import', '--cluster', 'prod', '--replace'], '{"keys": ["zz"]}', /keys\[0\] \(share 1\): not hex/],
    [['bogus'], '', /unknown subcommand "bogus"/],
  ])('%j fails with a clear message (exit 1)', async (argv, stdin, pattern) => {
    // 'init' stands for the simulator's init output (not known when the table is built).
    const r = await run(argv, stdin === 'init' ? cliJson() : stdin);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(pattern);
    expectClean({ source: 'stderr', text: r.err });
  });
});

describe('sealwatch keys status', () => {
  it('exit 0 with every wrapper working; the analysis names the fragile provider', async () => {
    const r = await run(['status', '--cluster', 'prod']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/threshold reachable now: yes \(5 of 5 shares/);
    expect(r.out).toMatch(/local:sealwatch-config .*2 left → threshold LOST; holds ≥ threshold alone/);
    expect(r.out).toMatch(/\[warning\] custody.single-provider-compromise/);
    const json = JSON.parse((await run(['status', '--cluster', 'prod', '--json'])).out) as { thresholdReachable: boolean; records: unknown[] };
    expect(json.thresholdReachable).toBe(true);
    expect(json.records).toHaveLength(5);
  });

  it('a disabled KMS key: still exit 0 while the local shares reach the threshold; exit 2 when all shares sit under it', async () => {
    // Its only node is gone: --force imports without the node cross-check.
    const refused = await run(['import', '--cluster', 'prod-kms'], cliJson());
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/no node of cluster prod-kms answered .* pass --force/);
    const imported = await run(['import', '--cluster', 'prod-kms', '--force'], cliJson());
    expect(imported.code).toBe(0);
    expect(imported.err).toMatch(/warning: no node answered/);
    kms.setKeyState(keyA.keyId, 'Disabled');
    kms.setKeyState(keyB.keyId, 'Disabled');
    try {
      const prod = await run(['status', '--cluster', 'prod']);
      expect(prod.code).toBe(0);
      expect(prod.out).toMatch(/aws \[aws-kms, aws-kms:127\.0\.0\.1:\d+\] shares 1,2: unwrap FAILED: .*disabled/i);
      expect(prod.out).toMatch(/\[warning\] custody.wrapper-unavailable: wrapper aws cannot unwrap shares 1, 2/);
      const all = await run(['status', '--cluster', 'prod-kms']);
      expect(all.code).toBe(2);
      expect(all.out).toMatch(/threshold reachable now: NO \(0 of 5/);
      expect(all.out).toMatch(/\[critical\] custody.threshold-unreachable/);
    } finally {
      kms.setKeyState(keyA.keyId, 'Enabled');
      kms.setKeyState(keyB.keyId, 'Enabled');
    }
  });

  it('exit 2 when the cluster has no custody', async () => {
    const empty = createMemoryStateStore({ clock: systemClock });
    const r = await run(['status', '--cluster', 'prod'], '', {
      ...deps(),
      loadRuntime: async (io, flag) =>
        createRuntime({
          config: await loadConfig({ path: join(io.cwd, flag ?? 'sealwatch.yaml'), env: io.env }),
          clock: systemClock,
          logger: createJsonLogger({ level: 'silent', write: () => {} }),
          store: empty,
        }),
    });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/has no custody — import shares with `sealwatch keys import` or create them with `sealwatch init`/);
  });
});

describe('sealwatch keys rewrap', () => {
  it('moves a share to KMS, prints from/to and reminds to update the policy', async () => {
    const r = await run(['rewrap', '--cluster', 'prod', '--to', 'aws', '--shares', '3']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`\\n\\s+3\\s+local-a\\s+aws\\s+rewrapped\\s+${keyA.arn}`));
    expect(r.err).toMatch(/reminder: .*custody still places share 3 elsewhere \(3: local-a\); list them under custody.shares.aws/);
    const shares = await createCustodyRepository(store).shares('prod');
    expect(shares.find((s) => s.data.index === 3)?.data.wrapper).toBe('aws');
    expectClean({ source: 'stdout', text: r.out }, { source: 'stderr', text: r.err }, { source: 'store', text: await storedText('prod') });

    const back = await run(['rewrap', '--cluster', 'prod', '--to', 'local-a', '--shares', '3', '--json']);
    expect(back.code).toBe(0);
    expect(JSON.parse(back.out)).toMatchObject({ ok: true, policyOutdated: [] });
    expect(back.err).not.toMatch(/reminder/);
  });

  it('--dry-run prints the per-share plan the rewrap then executes, changing nothing', async () => {
    const before = await storedText('prod');
    const text = await run(['rewrap', '--cluster', 'prod', '--to', 'aws', '--shares', '4,3', '--dry-run']);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toMatch(/^dry run: no share or token was wrapped, sent or written\nwould rewrap 2 shares of cluster prod \(generation \d+\) to aws\n/);
    expect(text.out).toMatch(
      /\n {2}1\. rewrap share 3: local-a \(key local-[0-9a-f]{8}\) → aws\n {5}why: share 3 moves from wrapper local-a to aws \(migration\)/,
    );
    const dry = await run(['rewrap', '--cluster', 'prod', '--to', 'aws', '--shares', '4,3', '--dry-run', '--json']);
    expect(await storedText('prod')).toBe(before);
    const real = await run(['rewrap', '--cluster', 'prod', '--to', 'aws', '--shares', '4,3', '--json']);
    expect(real.code, real.err).toBe(0);
    const planned = (JSON.parse(dry.out) as { actions: { index: number; from: string; fromKeyId: string; to: string }[] }).actions;
    const done = (JSON.parse(real.out) as { results: { index: number; from: string; fromKeyId: string; to: string; outcome: string }[] }).results;
    expect(done.map((r) => [r.index, r.from, r.fromKeyId, r.to, r.outcome])).toEqual(planned.map((a) => [a.index, a.from, a.fromKeyId, a.to, 'rewrapped']));
    // Back where the policy places them, for the tests after this one.
    expect((await run(['rewrap', '--cluster', 'prod', '--to', 'local-a', '--shares', '3,4'])).code).toBe(0);
  });

  it.each([
    [['rewrap', '--cluster', 'prod'], /--to is required/],
    [['rewrap', '--cluster', 'prod', '--to', 'aws', '--shares', '1,1'], /lists a share twice/],
    [['rewrap', '--cluster', 'prod', '--to', 'aws', '--shares', '0'], /from 1 to 255/],
    [['rewrap', '--cluster', 'prod', '--to', 'nowhere'], /wrapper nowhere is not configured/],
  ])('%j fails with exit 1', async (argv, pattern) => {
    const r = await run(argv);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(pattern);
  });
});

describe('with the default loader and the embedded on-disk store', () => {
  it('import in one invocation, status in the next', async () => {
    const real: CustodyCommandDeps = { wrapperOptions: { kmsMaxAttempts: 1 } };
    const imported = await run(['import', '--cluster', 'prod', '--store-root-token'], cliJson(), real);
    expect(imported.code).toBe(0);
    expect(imported.out).toMatch(/root token: stored, wrapped/);
    const status = await run(['status', '--cluster', 'prod', '--json'], '', real);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.out)).toMatchObject({ generation: 1, usableShares: 5, rootTokenStored: true });
    expectClean({ source: 'import stdout', text: imported.out }, { source: 'import stderr', text: imported.err }, { source: 'status', text: status.out });
  });
});
