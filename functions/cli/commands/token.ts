import { pinnedTarget, UnpinnedTargetError } from '../../../shared/core/pinned-target.ts';
import { describeError, ValidationError, VaultApiError } from '../../../shared/errors.ts';
import type { VaultTarget } from '../../../shared/ports/vault-client.ts';
import type { Runtime } from '../../../shared/runtime/create-runtime.ts';
import { defineCommand, requireOption, UsageError } from '../args.ts';
import { loadRuntime, unknownCluster } from '../load-runtime.ts';
import { tokenWrapperId } from '../../../shared/app/vault-token.ts';

const USAGE = `usage: sealwatch token set --cluster ID [--config FILE] < token

Stores the Vault token sealwatch uses for the cluster (auth: { token: {} }) in custody, wrapped
as clusters[].custody says: by its default wrapper, else by the wrapper of share 1 (the lowest
share it lists); without a policy by the one configured wrapper. The token is read from standard input, never from arguments,
and checked first with an authenticated read of the raft configuration.

  --cluster ID   the configured cluster
  --config FILE  configuration (default: $SEALWATCH_CONFIG, then ./sealwatch.yaml)

Exit status: 0 when stored, 2 when Vault refused the token or no node could check it,
1 on usage or configuration errors (including an https node without the cluster CA, tls.caFile:
the token is sent only to nodes whose certificate chains to it).`;

/** `sealwatch token set`: puts a control token into custody. */
export const tokenCommand = defineCommand({
  name: 'token set',
  usage: USAGE,
  allowPositionals: true,
  options: { cluster: { type: 'string' }, config: { type: 'string' } },
  async run({ values, positionals }, io) {
    const [sub, ...extra] = positionals;
    if (sub !== 'set' || extra.length > 0) {
      throw new UsageError(`${sub === undefined ? 'a subcommand is required' : `unknown token command "${positionals.join(' ')}"`}\n\n${USAGE}`);
    }
    const clusterId = requireOption(values.cluster, 'cluster', USAGE);
    const token = (await io.readStdin()).trim();
    if (token.length === 0 || /\s/.test(token)) throw new UsageError('sealwatch token set: standard input must hold exactly one token');
    const runtime = await loadRuntime(io, values.config);
    if (!runtime) return 1;
    try {
      await runtime.resolveCluster(clusterId); // discovered nodes join the recovery cluster
      const recoveryCluster = runtime.health.recoveryClusters.get(clusterId);
      if (!recoveryCluster)
        return unknownCluster(
          io,
          'token set',
          clusterId,
          runtime.clusters.map((c) => c.id),
        );
      // The token is wrapped as clusters[].custody says (its default, else share 1's wrapper).
      const custody = runtime.config.clusters.find((c) => c.id === clusterId)?.custody;
      const cluster = { ...recoveryCluster, ...(custody ? { custody } : {}) };
      // Decided before the token leaves: an unusable policy refuses without contacting Vault.
      const wrapper = tokenWrapperId(cluster, runtime.wrappers.ids());
      let targets: { nodeId: string; target: VaultTarget }[];
      try {
        // Every node is checked before the token leaves: the sweep later sends it to whichever is active.
        targets = cluster.nodes.map((node) => ({ nodeId: node.id, target: pinnedTarget(cluster, node.id) }));
      } catch (error) {
        if (!(error instanceof UnpinnedTargetError)) throw error;
        throw new ValidationError(`not stored, token not sent: ${error.message}`);
      }
      const refused = await verify(runtime, targets, token);
      if (refused) {
        io.stderr(`sealwatch token set: not stored: ${refused}\n`);
        return 2;
      }
      await runtime.health.tokens.store(cluster, token);
      io.stdout('stored\n');
      io.stderr(`wrapped by ${wrapper}\n`);
      return 0;
    } finally {
      await runtime.close();
    }
  },
});

/** Null when a node accepted the token; otherwise why not (Vault's refusal or unreachable nodes). */
async function verify(runtime: Runtime, targets: readonly { nodeId: string; target: VaultTarget }[], token: string): Promise<string | null> {
  const problems: string[] = [];
  for (const { nodeId, target } of targets) {
    try {
      await runtime.vault.client(target).raftConfiguration({ token, signal: AbortSignal.timeout(runtime.config.sweep.nodeTimeoutMs) });
      return null;
    } catch (error) {
      if (error instanceof VaultApiError && (error.status === 401 || error.status === 403)) {
        return `Vault refused the token on ${nodeId} (${error.status}); it needs read on sys/storage/raft/configuration`;
      }
      // Vault checks the token before the handler runs: a 400 (raft not in use) means it was accepted.
      if (error instanceof VaultApiError && error.status === 400) return null;
      problems.push(`${nodeId}: ${describeError(error)}`);
    }
  }
  return `no node could check the token (${problems.join('; ')})`;
}
