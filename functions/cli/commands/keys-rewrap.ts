import type { RewrapResult } from '../../../shared/app/custody-service.ts';
import { UsageError, defineCommand } from '../args.ts';
import type { CliCommand } from '../io.ts';
import { formatRewrapPlan } from './keys-plan.ts';
import { parseIndexList, table, withCustody, type CustodyCommandDeps } from './keys-runtime.ts';

const USAGE = `usage: sealwatch keys rewrap --cluster ID --to WRAPPER [--shares 1,2] [--dry-run] [--config FILE] [--json]

Re-encrypts shares in custody under another wrapper (migration) or under the current key of the
same wrapper (rotation). Per share: unwrap, wrap under WRAPPER, unwrap the new ciphertext to
prove it, then overwrite the share record only if nobody changed it meanwhile (under the
cluster lease, checked before every write; the custody metadata is not touched). The old
ciphertext stays in place until the new one is proven, so no share is ever lost; the first
failure stops the run (rerunning is safe).

The config's custody policy is not rewritten: update clusters[].custody.shares afterwards so
future imports put the shares where they now are.

  --cluster ID    the configured cluster
  --to WRAPPER    target wrapper id (from wrappers:)
  --shares LIST   comma-separated share indexes (default: every share)
  --dry-run       print the plan (per share: from wrapper and key id, to wrapper, why) without
                  unwrapping or writing anything
  --config FILE   configuration (default: $SEALWATCH_CONFIG, then ./sealwatch.yaml)
  --json          print the result (or the plan) as JSON

Exit status: 0 when every selected share was rewrapped (or planned), 1 otherwise.`;

/** `sealwatch keys rewrap`. */
export function createKeysRewrapCommand(deps: CustodyCommandDeps = {}): CliCommand {
  return defineCommand({
    name: 'keys rewrap',
    usage: USAGE,
    options: {
      cluster: { type: 'string' },
      to: { type: 'string' },
      shares: { type: 'string' },
      'dry-run': { type: 'boolean' },
      config: { type: 'string' },
      json: { type: 'boolean' },
    },
    async run({ values }, io) {
      if (!values.cluster) throw new UsageError(`--cluster is required\n\n${USAGE}`);
      if (!values.to) throw new UsageError(`--to is required\n\n${USAGE}`);
      const indexes = parseIndexList(values.shares, 'shares');
      const request = { clusterId: values.cluster, to: values.to, ...(indexes ? { indexes } : {}) };
      return await withCustody(io, deps, values.config, async (service) => {
        if (values['dry-run']) {
          const plan = await service.planRewrap(request);
          io.stdout(values.json ? `${JSON.stringify(plan, null, 2)}\n` : formatRewrapPlan(plan));
          return 0;
        }
        const result = await service.rewrap(request);
        io.stdout(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatRewrap(result));
        const reminder = policyReminder(result);
        if (reminder) io.stderr(`reminder: ${reminder}\n`);
        return result.ok ? 0 : 1;
      });
    },
  });
}

export function formatRewrap(r: RewrapResult): string {
  const rows = r.results.map((s) => [String(s.index), s.from, s.to, s.outcome, s.toKeyId ?? s.error ?? '']);
  return `${table([['SHARE', 'FROM', 'TO', 'OUTCOME', 'KEY / ERROR'], ...rows])}\n`;
}

/** The custody.shares line the config needs now, or null when the policy already matches. */
export function policyReminder(r: RewrapResult): string | null {
  if (r.policyOutdated.length === 0) return null;
  const indexes = r.policyOutdated.map((p) => p.index).join(', ');
  return `the config's clusters[${r.cluster}].custody still places share${r.policyOutdated.length > 1 ? 's' : ''} ${indexes} elsewhere (${r.policyOutdated.map((p) => `${p.index}: ${p.policy}`).join(', ')}); list them under custody.shares.${r.to} so future imports match`;
}
