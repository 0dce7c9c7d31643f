import type { RecoveryResult } from '../../../shared/app/recovery.ts';
import { resolvePinnedTarget } from '../../../shared/core/pinned-target.ts';
import { ValidationError } from '../../../shared/errors.ts';
import { defineCommand, requireOption } from '../args.ts';
import { loadRuntime, unknownCluster } from '../load-runtime.ts';

const USAGE = `usage: sealwatch recover --cluster ID [--dry-run] [--config FILE] [--json]

Looks at the cluster once, plans and applies the plan once, under the cluster's lease: unseal
sealed nodes from custody (unless autoUnseal is false), join uninitialized configured nodes to
the active one and unseal them (raft.autoJoin), remove one peer dead longer than
raft.removeDeadPeers.after when quorum allows; then it looks again at the nodes it acted on,
runs the cluster's checks and records the new states. This is the same code as
POST /v1/clusters/ID/recover (and its dryRun), so both say and do the same.

  --cluster ID   the configured cluster
  --dry-run      print the plan (each action and why) without applying or recording anything
  --config FILE  configuration (default: $SEALWATCH_CONFIG, then ./sealwatch.yaml)
  --json         print the result as JSON

Exit status: 0 when no step failed, 2 when one did or another sealwatch operation holds the
cluster's lease (nothing done), 1 on usage or configuration errors (including
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
      // 2: a step failed, or nothing was done because another operation holds the cluster lease.
      return result.unseal?.ok === false || result.sweep?.skipped ? 2 : 0;
    } finally {
      await runtime.close();
    }
  },
});

/**
 * One line per action of the plan (a dry run adds why it is planned), the findings the actions
 * raised, then the nodes as the recover saw them last.
 */
export function formatRecovery(result: RecoveryResult): string {
  const lines = [`${result.dryRun ? 'dry run: ' : ''}recover cluster ${result.cluster}`];
  const steps = result.steps ?? [];
  if (steps.length === 0 && !result.sweep?.skipped) lines.push('  nothing to do');
  for (const step of steps) {
    lines.push(`  ${step.kind.padEnd(17)} ${step.nodeId.padEnd(12)} ${step.outcome.padEnd(14)} — ${step.message}`);
    if (result.dryRun && step.reason) lines.push(`  ${''.padEnd(17)} because ${step.reason}`);
  }
  for (const id of result.unseal?.findings ?? []) lines.push(`  ! finding ${id}`);
  const sweep = result.sweep;
  if (sweep?.skipped === 'lease-held') lines.push('  nothing done: another sealwatch operation holds the cluster lease; try again shortly');
  else if (sweep?.skipped) lines.push(`  nothing done (${sweep.skipped})`);
  else if (sweep) {
    lines.push(`  now: ${sweep.nodes.map((n) => `${n.node} ${n.state}`).join(', ')}`);
    if (sweep.findings.length > 0) lines.push(`  open findings: ${sweep.findings.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}
