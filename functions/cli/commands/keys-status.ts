import type { CustodyStatus } from '../../../shared/app/custody-service.ts';
import { NotFoundError } from '../../../shared/errors.ts';
import { UsageError, defineCommand } from '../args.ts';
import type { CliCommand } from '../io.ts';
import { table, withCustody, type CustodyCommandDeps } from './keys-runtime.ts';
import { cliHint } from '../error-hints.ts';

const USAGE = `usage: sealwatch keys status --cluster ID [--config FILE] [--json]

Shows the shares in custody (index, wrapper, key, when wrapped), tests every wrapper for real
(one share per wrapper key is unwrapped, its plaintext checked and zeroed; plus each wrapper's
health check), and analyses the arrangement: which single wrapper or provider outage it
survives, and whether one provider alone holds enough shares to rebuild the key.

  --cluster ID   the configured cluster
  --config FILE  configuration (default: $SEALWATCH_CONFIG, then ./sealwatch.yaml)
  --json         print the status as JSON

Exit status: 0 when the threshold is reachable now and no node is blocked, 2 when it is not,
when a wrong-key or rejection block stands (or there is no custody), 1 on usage or
configuration errors.`;

/** `sealwatch keys status`. */
export function createKeysStatusCommand(deps: CustodyCommandDeps = {}): CliCommand {
  return defineCommand({
    name: 'keys status',
    usage: USAGE,
    options: { cluster: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' } },
    async run({ values }, io) {
      if (!values.cluster) throw new UsageError(`--cluster is required\n\n${USAGE}`);
      const clusterId = values.cluster;
      return await withCustody(io, deps, values.config, async (service, runtime) => {
        if (!runtime.config.clusters.some((c) => c.id === clusterId)) {
          throw new NotFoundError(`cluster ${clusterId} is not in the configuration (known: ${runtime.config.clusters.map((c) => c.id).join(', ')})`);
        }
        let status: CustodyStatus;
        try {
          status = await service.status(clusterId);
        } catch (error) {
          if (!(error instanceof NotFoundError)) throw error;
          if (values.json) io.stdout(`${JSON.stringify({ cluster: clusterId, custody: null, thresholdReachable: false }, null, 2)}\n`);
          const hint = cliHint(error);
          io.stderr(`sealwatch keys status: ${error.message}${hint ? ` — ${hint}` : ''}\n`);
          return 2;
        }
        io.stdout(values.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
        return status.thresholdReachable && !status.blocked ? 0 : 2;
      });
    },
  });
}

export function formatStatus(s: CustodyStatus): string {
  const lines = [
    `cluster ${s.cluster}: ${s.kind} shares, threshold ${s.threshold} of ${s.shares}, generation ${s.generation} (created ${s.createdAt})`,
    `threshold reachable now: ${s.thresholdReachable ? 'yes' : 'NO'} (${s.usableShares} of ${s.shares} shares can be unwrapped, ${s.threshold} needed)`,
    '',
    table([
      ['SHARE', 'WRAPPER', 'KEY', 'WRAPPED AT', 'USABLE'],
      ...s.records.map((r) => [String(r.index), r.wrapper, r.keyId, r.wrappedAt, r.usable ? 'yes' : 'no']),
    ]),
  ];
  if (s.missing.length > 0) lines.push(`  missing share records: ${s.missing.join(', ')}`);
  lines.push('', 'wrappers:');
  for (const w of s.wrappers) {
    const failed = w.unwrapTests.find((t) => !t.ok);
    const unwrap = w.canUnwrap ? 'unwrap ok' : `unwrap FAILED: ${failed?.error ?? 'unknown'}`;
    const health = w.health
      ? `health ${w.health.status}${w.health.problems.length ? ` (${w.health.problems.map((p) => p.code).join(', ')})` : ''}`
      : 'health n/a';
    lines.push(`  ${w.id} [${w.kind}, ${w.provider}] shares ${w.shares.join(',')}: ${unwrap}; ${health}`);
  }
  const a = s.analysis;
  lines.push('', 'if one provider is down:');
  for (const p of a.byProvider) {
    lines.push(
      `  ${p.id} (${p.wrappers.join(', ')}; shares ${p.indexes.join(',')}): ${p.sharesLeftIfDown} left → ${p.survivesOutage ? 'survives' : 'threshold LOST'}${p.compromiseRevealsKey ? '; holds ≥ threshold alone: its compromise reveals the key' : ''}`,
    );
  }
  lines.push(
    `  any single wrapper outage: ${a.survivesAnySingleWrapperOutage ? 'survived' : 'not survived'}; any single provider outage: ${a.survivesAnySingleProviderOutage ? 'survived' : 'not survived'}`,
  );
  lines.push(`root token in custody: ${s.rootTokenStored ? 'yes' : 'no'}`);
  if (s.blocks.cluster !== null || s.blocks.nodes.length > 0) {
    lines.push('', 'unseal blocks (generation ' + String(s.blocks.generation) + '):');
    const c = s.blocks.cluster;
    if (c) lines.push(`  CLUSTER BLOCKED since ${c.at}: nodes ${(c.nodes ?? [c.nodeId]).join(', ')} rejected this custody (${c.vaultError})`);
    for (const g of s.blocks.nodes) {
      const state = g.blocked ? 'BLOCKED' : 'rejected once, one more try allowed';
      lines.push(`  node ${g.nodeId}: ${state} since ${g.lastAt} — ${g.reason}, ${g.status === null ? 'no answer' : `status ${g.status}`}: ${g.vaultError}`);
    }
    lines.push(
      '  (replace the custody with `sealwatch keys import --replace`, or lift a block with `sealwatch unseal --clear-block --cluster ' +
        s.cluster +
        ' [--node ID]`)',
    );
  }
  if (s.policyDrift.length > 0) {
    lines.push(
      `config policy differs from storage: ${s.policyDrift.map((d) => `share ${d.index} stored under ${d.stored}, policy says ${d.policy}`).join('; ')}`,
    );
  }
  if (s.findings.length > 0) {
    lines.push('', 'findings:');
    for (const f of s.findings) lines.push(`  [${f.severity}] ${f.id}: ${f.message}`);
  }
  return `${lines.join('\n')}\n`;
}
