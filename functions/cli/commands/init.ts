import type { InitClusterResult } from '../../../shared/app/custody-service.ts';
import { UsageError, defineCommand, parseIntOption } from '../args.ts';
import type { CliCommand, CliIo } from '../io.ts';
import { readPgpKeys } from './keys-pgp.ts';
import { formatInitPlan } from './keys-plan.ts';
import { table, withCustody, type CustodyCommandDeps } from './keys-runtime.ts';

const USAGE = `usage: sealwatch init --cluster ID --shares N --threshold T [--pgp-keys FILE,FILE...]
                     [--store-root-token] [--replace] [--dry-run] [--config FILE] [--json]

Initialises an uninitialised cluster through sys/init on its first configured node (TLS pinned
to the cluster CA) and puts the shares straight into custody: they are never shown. For
auto-unseal seals (awskms, azurekeyvault...) N and T are the recovery shares and threshold.

Before Vault is called: every configured node must answer and none may be initialised, the
custody policy must place every share, and every wrapper involved must wrap and unwrap a test
value. Vault hands shares out exactly once: should custody still fail afterwards, the shares
are printed once (as \`vault operator init -format=json\` would, ready for \`keys import\`)
rather than lost, and the exit status is 3.

  --cluster ID          the configured cluster
  --shares N            number of shares (1..255)
  --threshold T         shares needed to unseal (1..N, above 1 when N > 1)
  --pgp-keys FILES      one PGP public key file per share (base64, armored or binary), for
                        human custodians: Vault returns PGP-encrypted shares, which are printed
                        for the custodians; custody is NOT created
  --store-root-token    keep the root token wrapped in custody; otherwise it is printed once
  --replace             overwrite custody left by an earlier cluster of the same id
  --dry-run             make every check above (nodes, policy, wrapper test values) and print
                        the plan: the node sys/init would go to, then the custody writes after
                        Vault answers (share indexes, wrappers, generation, each with its
                        reason); Vault is not called, so no share, token or key exists yet
  --config FILE         configuration (default: $SEALWATCH_CONFIG, then ./sealwatch.yaml)
  --json                print the result (or the plan) as JSON

Exit status: 0 when initialised (custody created, or PGP shares printed) or planned, 3 when
initialised but custody could not be stored, 1 on any error before initialisation.`;

/** `sealwatch init`; `deps` are for tests. */
export function createInitCommand(deps: CustodyCommandDeps = {}): CliCommand {
  return defineCommand({
    name: 'init',
    usage: USAGE,
    options: {
      cluster: { type: 'string' },
      shares: { type: 'string' },
      threshold: { type: 'string' },
      'pgp-keys': { type: 'string' },
      'store-root-token': { type: 'boolean' },
      replace: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      config: { type: 'string' },
      json: { type: 'boolean' },
    },
    async run({ values }, io) {
      if (!values.cluster) throw new UsageError(`--cluster is required\n\n${USAGE}`);
      const shares = parseIntOption(values.shares, 'shares', 1, 255);
      const threshold = parseIntOption(values.threshold, 'threshold', 1, 255);
      if (shares === undefined || threshold === undefined) throw new UsageError(`--shares and --threshold are required\n\n${USAGE}`);
      const pgp = values['pgp-keys'] === undefined ? undefined : await readPgpKeys(values['pgp-keys'], io.cwd);
      const request = {
        clusterId: values.cluster,
        shares,
        threshold,
        ...(pgp ? { pgpKeys: pgp.map((p) => p.key) } : {}),
        storeRootToken: values['store-root-token'] === true,
        replace: values.replace === true,
      };
      return await withCustody(io, deps, values.config, async (service) => {
        if (values['dry-run']) {
          const plan = await service.planInit(request);
          io.stdout(values.json ? `${JSON.stringify(plan, null, 2)}\n` : formatInitPlan(plan));
          for (const warning of plan.warnings) io.stderr(`warning: ${warning}\n`);
          return 0;
        }
        const result = await service.initialize(request);
        if (values.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
        else io.stdout(formatInit(result, pgp?.map((p) => p.file) ?? []));
        for (const warning of result.warnings) io.stderr(`warning: ${warning}\n`);
        warnShownOnce(io, result);
        return result.outcome === 'custody-failed' ? 3 : 0;
      });
    },
  });
}

export const initCommand: CliCommand = createInitCommand();

function formatInit(r: InitClusterResult, pgpFiles: readonly string[]): string {
  const lines = [
    `initialised cluster ${r.cluster} through node ${r.node} (${r.sealType} seal): ${r.shares} ${r.kind} share${r.shares === 1 ? '' : 's'}, threshold ${r.threshold}`,
  ];
  switch (r.outcome) {
    case 'custody-created':
      lines.push(
        `the shares went straight into custody (generation ${r.generation}) and were never shown:`,
        table([['SHARE', 'WRAPPER', 'KEY'], ...r.stored.map((s) => [String(s.index), s.wrapper, s.keyId])]),
      );
      if (r.kind === 'unseal') lines.push('the nodes are sealed: `sealwatch sweep --once` or `sealwatch unseal` unseals them from custody');
      break;
    case 'pgp-encrypted':
      lines.push('custody was NOT created: the shares are PGP-encrypted for their custodians and sealwatch cannot use them.');
      lines.push('hand each custodian their share (base64 of the PGP message):');
      for (const [i, share] of r.encryptedShares.entries()) lines.push(`  share ${i + 1} (key ${pgpFiles[i] ?? '?'}): ${share}`);
      break;
    case 'custody-failed':
      // The one place shares are printed: Vault will never hand them out again.
      return `${JSON.stringify(cliInitJson(r), null, 2)}\n`;
  }
  if (r.rootToken !== null) lines.push(`root token (shown once): ${r.rootToken}`);
  else lines.push('root token: stored, wrapped in custody');
  return `${lines.join('\n')}\n`;
}

/** The shape of `vault operator init -format=json`, so the output can go to `keys import` later. */
function cliInitJson(r: Extract<InitClusterResult, { outcome: 'custody-failed' }>) {
  const keys = r.sharesBase64;
  const hex = keys.map((k) => Buffer.from(k, 'base64').toString('hex'));
  const unseal = r.kind === 'unseal';
  return {
    unseal_keys_b64: unseal ? keys : [],
    unseal_keys_hex: unseal ? hex : [],
    unseal_shares: unseal ? r.shares : 1,
    unseal_threshold: unseal ? r.threshold : 1,
    recovery_keys_b64: unseal ? [] : keys,
    recovery_keys_hex: unseal ? [] : hex,
    recovery_keys_shares: unseal ? 0 : r.shares,
    recovery_keys_threshold: unseal ? 0 : r.threshold,
    root_token: r.rootToken ?? '',
  };
}

function warnShownOnce(io: CliIo, r: InitClusterResult): void {
  if (r.outcome === 'custody-failed') {
    io.stderr(
      `ERROR: cluster ${r.cluster} was initialised but custody could not be stored: ${r.error}\n` +
        'The shares and the root token are printed on stdout ONCE, because Vault will never hand them out again.\n' +
        `Save them now, then run \`sealwatch keys import --cluster ${r.cluster} --replace < saved.json\` once custody works.\n`,
    );
  } else if (r.rootToken !== null) {
    io.stderr(
      'warning: the root token is shown once and was not stored: keep it somewhere safe or revoke it when done ' +
        '(pass --store-root-token to keep it wrapped in custody instead)\n',
    );
  }
}
