import type { RecoveryResult } from '../../../shared/app/recovery.ts';
import { resolvePinnedTarget } from '../../../shared/core/pinned-target.ts';
import { ValidationError } from '../../../shared/errors.ts';
import { defineCommand, requireOption } from '../args.ts';
import { loadRuntime, unknownCluster } from '../load-runtime.ts';

const USAGE = `usage: sealwatch recover --cluster ID [--dry-run] [--config FILE] [--json]

Runs every recovery step enabled for the cluster now: unseal sealed nodes from custody (unless
autoUnseal is false), join uninitialized configured nodes to the active one and unseal them
(raft.autoJoin), remove one peer dead longer than raft.removeDeadPeers.after when quorum allows;
then one sweep of the cluster records the new states and runs its checks. This is the same code
as POST /v1/clusters/ID/recover (and its dryRun), so both say and do the same.

  --cluster ID   the configured cluster
  --dry-run      say what would be done without changing anything
  --config FILE  configuration (default: $SEALWATCH_CONFIG, then ./sealwatch.yaml)
  --json         print the result as JSON

Exit status: 0 when no step failed, 2 otherwise, 1 on usage or configuration errors (including
an https node without the cluster CA, tls.caFile, or a plain-HTTP node not marked insecureHttp).`;

/** `sealwatch recover`: operator-triggered recovery of one cluster. */
export const recoverCommand = defineCommand({
  usage: USAGE,
  options: { cluster: { type: 'string' }, 'dry-run': { type: 'boolean' }, config: { type: 'string' }, json: { type: 'boolean' } },
  async run({ values }, io) {
    const clusterId = requireOption(values.cluster, 'cluster', USAGE);
    const runtime = await loadRuntime(io, values.config);
    if (!runtime) return 1;
    try {
      await runtime.resolveCluster(clusterId); // discovered nodes join the recovery cluster
      const cluster = runtime.health.recoveryClusters.get(clusterId);
      if (!cluster)
        return unknownCluster(
          io,
          'recover',
          clusterId,
          runtime.clusters.map((c) => c.id),
        );
      // Recovery sends shares, tokens and joins: refuse up front rather than fail step by step.
      for (const node of cluster.nodes) {
        const resolved = resolvePinnedTarget(cluster, node.id);
        if ('refused' in resolved) {
          throw new ValidationError(`nothing done: ${resolved.detail}`);
        }
      }
      const result = await runtime.recovery.run({ clusterId, action: 'recover', trigger: 'cli', ...(values['dry-run'] ? { dryRun: true } : {}) });
      io.stdout(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatRecovery(result));
      return result.unseal?.ok === false ? 2 : 0;
    } finally {
      await runtime.close();
    }
  },
});

/** One line per step, the findings the steps raised, then the nodes as the sweep after them saw them. */
export function formatRecovery(result: RecoveryResult): string {
  const lines = [`${result.dryRun ? 'dry run: ' : ''}recover cluster ${result.cluster}`];
  const steps = result.steps ?? [];
  if (steps.length === 0) lines.push('  nothing to do');
  for (const step of steps) lines.push(`  ${step.kind.padEnd(17)} ${step.nodeId.padEnd(12)} ${step.outcome.padEnd(14)} — ${step.message}`);
  for (const id of result.unseal?.findings ?? []) lines.push(`  ! finding ${id}`);
  const sweep = result.sweep;
  if (sweep?.skipped) lines.push(`  sweep skipped (${sweep.skipped}): the states above are not recorded yet`);
  else if (sweep) {
    lines.push(`  now: ${sweep.nodes.map((n) => `${n.node} ${n.state}`).join(', ')}`);
    if (sweep.findings.length > 0) lines.push(`  open findings: ${sweep.findings.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}
