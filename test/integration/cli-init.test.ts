import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInitCommand } from '../../functions/cli/commands/init.ts';
import { createKeysCommand, type CustodyCommandDeps } from '../../functions/cli/commands/keys.ts';
import type { CliIo } from '../../functions/cli/io.ts';
import { main } from '../../functions/cli/main.ts';
import { createJsonLogger } from '../../shared/adapters/json-logger.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { createCustodyRepository } from '../../shared/app/custody-repository.ts';
import { loadConfig } from '../../shared/config/load-config.ts';
import { deriveKeyCheck } from '../../shared/core/share-validation.ts';
import type { StateStore } from '../../shared/ports/state-store.ts';
import { createRuntime } from '../../shared/runtime/create-runtime.ts';
import { startSimulatedCluster, type SimulatedCluster, type SimulatedInitResult } from '../../shared/simulator/index.ts';
import { describeLeaks, scanForLeaks, type KnownSecret } from '../support/leak-scan.ts';

// `sealwatch init` in-process against uninitialised simulated clusters (Shamir and awskms), with
// a YAML config read by the real loader and a memory state store shared by the invocations.

let dir: string;
let shamir: SimulatedCluster;
let auto: SimulatedCluster;
let pgpTarget: SimulatedCluster;
let planned: SimulatedCluster;
let store: StateStore;
const env = { SEALWATCH_LOCAL_KEY: randomBytes(32).toString('hex'), SEALWATCH_LOG_LEVEL: 'info' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealwatch-cli-init-'));
  [shamir, auto, pgpTarget, planned] = await Promise.all([
    startSimulatedCluster({ nodes: 3, init: false }),
    startSimulatedCluster({ nodes: 2, sealType: 'awskms', init: false }),
    startSimulatedCluster({ nodes: 1, init: false }),
    startSimulatedCluster({ nodes: 2, init: false }),
  ]);
  const cluster = (id: string, sim: SimulatedCluster) => {
    const ca = `ca-${id}.pem`;
    return {
      ca: [ca, sim.caPem ?? ''] as const,
      yaml: `  - id: ${id}
    nodes:
${sim.nodes.map((n) => `      - { id: ${n.id}, url: "${n.url}" }`).join('\n')}
    tls: { caFile: ./${ca} }`,
    };
  };
  const clusters = [cluster('fresh', shamir), cluster('auto', auto), cluster('pgp', pgpTarget), cluster('planned', planned)];
  for (const c of clusters) await writeFile(join(dir, c.ca[0]), c.ca[1]);
  await writeFile(
    join(dir, 'sealwatch.yaml'),
    `wrappers:
  - id: local-a
    local:
      key: \${env:SEALWATCH_LOCAL_KEY}
clusters:
${clusters.map((c) => c.yaml).join('\n')}
`,
  );
  // Custodian PGP keys: an armored file and a base64 file (contents need not be real keys:
  // sealwatch passes them through, Vault parses them).
  await writeFile(
    join(dir, 'alice.asc'),
    '-----BEGIN PGP PUBLIC KEY BLOCK-----\nComment: test\n\nmQENBGZhbGljZQ==\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n',
  );
  await writeFile(join(dir, 'bob.b64'), 'mQENBGJvYg==\n');
  store = createMemoryStateStore({ clock: systemClock });
});
afterAll(async () => {
  await Promise.all([shamir?.close(), auto?.close(), pgpTarget?.close(), planned?.close()]);
  await rm(dir, { recursive: true, force: true });
});

const deps: CustodyCommandDeps = {
  async loadRuntime(io, flag) {
    const config = await loadConfig({ path: join(io.cwd, flag ?? 'sealwatch.yaml'), env: io.env });
    return createRuntime({ config, clock: systemClock, logger: createJsonLogger({ level: 'info', write: (l) => io.stderr(`${l}\n`) }), store });
  },
};

function fakeIo(): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: (t) => void (out += t), stderr: (t) => void (err += t), readStdin: async () => '', env: { ...env }, cwd: dir },
    out: () => out,
    err: () => err,
  };
}

async function init(argv: string[]) {
  const f = fakeIo();
  const code = await createInitCommand(deps)(argv, f.io);
  return { code, out: f.out(), err: f.err() };
}

const sharesOf = (sim: SimulatedCluster): KnownSecret[] => {
  const i = sim.init as SimulatedInitResult;
  return [...i.keys, ...(i.recoveryKeys ?? [])].map((k, n) => ({ label: `share ${n + 1}`, value: Uint8Array.from(Buffer.from(k, 'hex')) }));
};

function expectClean(secrets: KnownSecret[], ...texts: { source: string; text: string }[]): void {
  const leaks = scanForLeaks(secrets, texts);
  expect(leaks, describeLeaks(leaks)).toEqual([]);
}

describe('sealwatch init', () => {
  it('initialises a Shamir cluster: shares into custody (never shown), root token printed once with a warning', async () => {
    const r = await init(['--cluster', 'fresh', '--shares', '5', '--threshold', '3']);
    expect(r.code).toBe(0);
    const result = shamir.init as SimulatedInitResult;
    expect(result.keys).toHaveLength(5);
    expect(r.out).toMatch(/^initialised cluster fresh through node vault-0 \(shamir seal\): 5 unseal shares, threshold 3/);
    expect(r.out).toMatch(/went straight into custody \(generation 1\) and were never shown/);
    expect(r.out).toContain(`root token (shown once): ${result.rootToken}`);
    expect(r.err).toMatch(/warning: the root token is shown once and was not stored/);
    expectClean(sharesOf(shamir), { source: 'stdout', text: r.out }, { source: 'stderr', text: r.err });
    expectClean([{ label: 'root token', value: result.rootToken }], { source: 'stderr', text: r.err });

    const meta = (await createCustodyRepository(store).meta('fresh'))!.data;
    expect(meta.keyCheck).toBe(await deriveKeyCheck(result.keys.slice(1, 4).map((k) => Uint8Array.from(Buffer.from(k, 'hex')))));
    expect(shamir.nodes.every((n) => n.state().initialized)).toBe(true);

    // The custody it created works: every share unwraps now.
    const f = fakeIo();
    expect(await createKeysCommand(deps)(['status', '--cluster', 'fresh'], f.io)).toBe(0);
    expect(f.out()).toMatch(/5 of 5 shares can be unwrapped/);
  });

  it('an awskms cluster gets recovery shares; --store-root-token keeps the token out of every output', async () => {
    const r = await init(['--cluster', 'auto', '--shares', '3', '--threshold', '2', '--store-root-token', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { outcome: string; kind: string; sealType: string; rootToken: string | null };
    expect(json).toMatchObject({ outcome: 'custody-created', kind: 'recovery', sealType: 'awskms', rootToken: null });
    const result = auto.init as SimulatedInitResult;
    expect(result.recoveryKeys).toHaveLength(3);
    expectClean([...sharesOf(auto), { label: 'root token', value: result.rootToken }], { source: 'stdout', text: r.out }, { source: 'stderr', text: r.err });
    expect(await createCustodyRepository(store).token('auto', 'root')).not.toBeNull();
  });

  it('refuses an initialised cluster and existing custody before calling Vault', async () => {
    const r = await init(['--cluster', 'fresh', '--shares', '5', '--threshold', '3', '--replace']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cluster fresh is already initialised .*keys import/);
    const again = await init(['--cluster', 'fresh', '--shares', '5', '--threshold', '3']);
    expect(again.err).toMatch(/already has custody/);
  });

  it('--dry-run checks, prints the plan and calls no sys/init; the init then applies exactly that plan', async () => {
    const initCalls = () => planned.nodes.flatMap((n) => n.requestLog).filter((e) => e.path === '/v1/sys/init' && e.method !== 'GET');
    const text = await init(['--cluster', 'planned', '--shares', '3', '--threshold', '2', '--store-root-token', '--dry-run']);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toMatch(
      /^dry run: no share or token was wrapped, sent or written\nwould initialise cluster planned through node vault-0 \(shamir seal\): 3 unseal shares, threshold 2\nthen, once Vault answers:\n/,
    );
    expect(text.out).toMatch(
      /\n {2}4\. write token root wrapped by local-a\n[\s\S]*\n {2}5\. write metadata generation 1\n[\s\S]*root token: would be stored, wrapped\n$/,
    );
    const dry = await init(['--cluster', 'planned', '--shares', '3', '--threshold', '2', '--store-root-token', '--dry-run', '--json']);
    expect(dry.code, dry.err).toBe(0);
    expect(initCalls()).toEqual([]);
    expect(planned.nodes.every((n) => !n.state().initialized)).toBe(true);
    expect(await createCustodyRepository(store).meta('planned')).toBeNull();

    const real = await init(['--cluster', 'planned', '--shares', '3', '--threshold', '2', '--store-root-token', '--json']);
    expect(real.code, real.err).toBe(0);
    expect(initCalls()).toHaveLength(1);
    const plan = JSON.parse(dry.out) as { dryRun: boolean; actions: unknown[] };
    const done = JSON.parse(real.out) as { outcome: string; actions: unknown[] };
    expect(plan.dryRun).toBe(true);
    expect(done.outcome).toBe('custody-created');
    expect(done.actions).toEqual(plan.actions);
    expectClean(
      [...sharesOf(planned), { label: 'root token', value: (planned.init as SimulatedInitResult).rootToken }],
      ...[text, dry, real].map((r) => ({ source: 'out', text: r.out + r.err })),
    );
  });

  it('passes custodians` PGP keys through to sys/init (armor removed), and creates no custody', async () => {
    const r = await init(['--cluster', 'pgp', '--shares', '2', '--threshold', '2', '--pgp-keys', 'alice.asc,bob.b64']);
    // The simulator does not implement PGP init and answers 500: sealwatch reports it, stores nothing.
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/PGP-encrypted init is not simulated/);
    const sent = pgpTarget.nodes[0]!.requestLog.filter((e) => e.path === '/v1/sys/init' && e.method !== 'GET');
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]!.body)).toMatchObject({ secret_shares: 2, secret_threshold: 2, pgp_keys: ['mQENBGZhbGljZQ==', 'mQENBGJvYg=='] });
    expect(await createCustodyRepository(store).meta('pgp')).toBeNull();
  });

  it.each([
    [['--shares', '5', '--threshold', '3'], /--cluster is required/],
    [['--cluster', 'pgp', '--threshold', '3'], /--shares and --threshold are required/],
    [['--cluster', 'pgp', '--shares', '3', '--threshold', '4'], /threshold 4 cannot be larger than shares 3/],
    [['--cluster', 'pgp', '--shares', '3', '--threshold', '1'], /greater than one for multiple shares/],
    [['--cluster', 'pgp', '--shares', '3', '--threshold', '2', '--pgp-keys', 'alice.asc'], /1 PGP keys for 3 shares/],
    [['--cluster', 'pgp', '--shares', '2', '--threshold', '2', '--pgp-keys', 'missing.asc,bob.b64'], /cannot read missing.asc/],
  ])('%j fails with exit 1 and no init', async (argv, pattern) => {
    const before = pgpTarget.nodes[0]!.requestLog.filter((e) => e.path === '/v1/sys/init').length;
    const r = await init(argv);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(pattern);
    expect(pgpTarget.nodes[0]!.requestLog.filter((e) => e.path === '/v1/sys/init').length).toBe(before);
  });

  it('is reachable through the main dispatcher', async () => {
    const f = fakeIo();
    expect(await main(['init', '--help'], f.io)).toBe(0);
    expect(f.out()).toMatch(/usage: sealwatch init --cluster ID --shares N --threshold T/);
    const k = fakeIo();
    expect(await main(['keys', '--help'], k.io)).toBe(0);
    expect(k.out()).toMatch(/import .*status .*rewrap/s);
  });
});
