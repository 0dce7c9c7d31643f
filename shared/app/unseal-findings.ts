import type { NodeUnsealGuard, UnsealBlock } from '../core/custody-types.ts';
import type { Finding } from '../core/finding.ts';
import { describeMismatches, type SealMismatch } from '../core/unseal-decision.ts';

/**
 * The findings an unseal can raise. Ids are stable per condition so alerts dedup on
 * (cluster, node, id); evidence holds identifiers and Vault's own texts, never values.
 */

export function wrongKeyFinding(cluster: string, node: string, shareIndexes: number[], wrappers: string[], vaultError: string, generation: number): Finding {
  return {
    id: 'unseal.wrong-key',
    severity: 'critical',
    cluster,
    node,
    message:
      `node ${node} rejected the combined shares ${shareIndexes.join(', ')} of custody generation ${generation} as the wrong key: ` +
      `no more shares go to node ${node} until the custody is replaced or the block is cleared`,
    evidence: { vaultError, shareIndexes, wrappers, custodyGeneration: generation },
  };
}

/**
 * A node discarded a full threshold without an answer sealwatch can classify: a warning after the
 * first time (one more try is allowed at the retry time), critical once the node is blocked.
 */
export function rejectedFinding(cluster: string, guard: NodeUnsealGuard, retryAt: string | null): Finding {
  const answer = `${guard.status === null ? 'no answer' : `status ${guard.status}`}: ${guard.vaultError}`;
  return {
    id: 'unseal.rejected',
    severity: guard.blocked ? 'critical' : 'warning',
    cluster,
    node: guard.nodeId,
    message: guard.blocked
      ? `node ${guard.nodeId} discarded ${guard.rejections} full thresholds of custody generation ${guard.generation} (${answer}): ` +
        `no more shares go to it until the custody is replaced or the block is cleared`
      : `node ${guard.nodeId} stayed sealed after a full threshold of custody generation ${guard.generation} (${answer}); ` +
        `one more try is allowed${retryAt ? ` from ${retryAt}` : ''}, then the node is blocked`,
    evidence: {
      httpStatus: guard.status,
      vaultError: guard.vaultError,
      rejections: guard.rejections,
      blocked: guard.blocked,
      shareIndexes: guard.shareIndexes,
      custodyGeneration: guard.generation,
    },
  };
}

/** The standing finding of a node guard that blocks (re-raised while the block stands). */
export function guardFinding(cluster: string, guard: NodeUnsealGuard, retryAt: string | null): Finding {
  const finding =
    guard.reason === 'wrong-key' && guard.blocked
      ? wrongKeyFinding(cluster, guard.nodeId, guard.shareIndexes, guard.wrappers, guard.vaultError, guard.generation)
      : rejectedFinding(cluster, guard, retryAt);
  return { ...finding, evidence: { ...finding.evidence, since: guard.lastAt } };
}

/** Two nodes blocked the same custody generation: the custody does not hold this cluster's key. */
export function clusterBlockedFinding(cluster: string, block: UnsealBlock): Finding {
  const nodes = block.nodes ?? [block.nodeId];
  return {
    id: 'unseal.custody-rejected',
    severity: 'critical',
    cluster,
    message:
      `nodes ${nodes.join(', ')} rejected custody generation ${block.generation}: the shares in custody do not unseal cluster ${cluster} ` +
      `(rekeyed?); unsealing of the cluster is stopped until the custody is replaced or the block is cleared`,
    evidence: { nodes, custodyGeneration: block.generation, vaultError: block.vaultError, since: block.at },
  };
}

/** The node's own seal (auto-unseal KMS) could not decrypt its stored keys: not the custody's fault. */
export function sealFailureFinding(cluster: string, node: string, sealType: string, vaultError: string): Finding {
  return {
    id: 'unseal.seal-failure',
    severity: 'critical',
    cluster,
    node,
    message:
      `node ${node} could not decrypt its stored keys through its ${sealType} seal, so it cannot be unsealed until that seal ` +
      `(its KMS key, permissions or network path) works again; the custody's shares are not at fault`,
    evidence: { seal: sealType, vaultError },
  };
}

/** Vault ≥ 1.19 refuses every unseal of a node removed from raft. */
export function removedFinding(cluster: string, node: string, vaultError: string): Finding {
  return {
    id: 'node.removed',
    severity: 'critical',
    cluster,
    node,
    message: `node ${node} has been removed from the raft cluster; it must be wiped and re-joined (no share was retried)`,
    evidence: { vaultError },
  };
}

/**
 * The unwrapped shares do not rebuild the key the custody records, and no other subset did:
 * a replace that failed part-way or stale share records. Nothing was sent to Vault.
 */
export function custodyInconsistentFinding(
  cluster: string,
  node: string,
  details: { tried: number[]; unwrapFailed: number[]; combinations: number; generation: number },
): Finding {
  return {
    id: 'unseal.custody-inconsistent',
    severity: 'critical',
    cluster,
    node,
    message:
      `the shares in custody of cluster ${cluster} do not rebuild the recorded key (generation ${details.generation}): a partial replace ` +
      `or stale share records; no share was sent to node ${node}. Re-import the shares with \`sealwatch keys import --replace\``,
    evidence: {
      shareIndexes: details.tried,
      unwrapFailed: details.unwrapFailed,
      combinations: details.combinations,
      custodyGeneration: details.generation,
    },
  };
}

export function custodyMismatchFinding(cluster: string, node: string, mismatches: readonly SealMismatch[]): Finding {
  return {
    id: 'unseal.custody-mismatch',
    severity: 'critical',
    cluster,
    node,
    message: `node ${node} does not match the custody record, no share was sent: ${describeMismatches(mismatches)}`,
    evidence: {
      fields: mismatches.map((m) => m.field),
      ...Object.fromEntries(mismatches.map((m) => [`expected.${m.field}`, m.expected])),
      ...Object.fromEntries(mismatches.map((m) => [`actual.${m.field}`, m.actual])),
    },
  };
}

/** The node's shares do not fit what Vault expects (key length, not initialized). */
export function shareMismatchFinding(cluster: string, node: string, vaultError: string): Finding {
  return {
    id: 'unseal.custody-mismatch',
    severity: 'critical',
    cluster,
    node,
    message: `node ${node} refused the custody's shares as not fitting its key: ${vaultError}`,
    evidence: { fields: ['key'], vaultError },
  };
}

export function refusedFinding(cluster: string, node: string, reason: 'tls' | 'unpinned' | 'insecure-http', detail: string): Finding {
  const id = reason === 'tls' ? 'unseal.tls-refused' : reason === 'unpinned' ? 'unseal.tls-unpinned' : 'unseal.insecure-http';
  return { id, severity: 'critical', cluster, node, message: `no share sent to node ${node}: ${detail}`, evidence: { reason } };
}

export function wrapperFailedFinding(
  cluster: string,
  node: string,
  failure: { wrapper: string; code: string; shareIndexes: number[]; message: string },
  nodeUnsealed: boolean,
): Finding {
  return {
    id: 'custody.wrapper-failed',
    severity: nodeUnsealed ? 'warning' : 'critical',
    cluster,
    node,
    message:
      `custody wrapper "${failure.wrapper}" failed (${failure.code}) for share ${failure.shareIndexes.join(', ')}` +
      `${nodeUnsealed ? ', shares under other wrappers were used' : ''}: ${failure.message}`,
    evidence: { wrapper: failure.wrapper, code: failure.code, shareIndexes: failure.shareIndexes },
  };
}

export function insufficientSharesFinding(cluster: string, node: string, got: number, threshold: number): Finding {
  return {
    id: 'unseal.insufficient-shares',
    severity: 'critical',
    cluster,
    node,
    message: `only ${got} of the ${threshold} shares needed could be unwrapped; node ${node} stays sealed`,
    evidence: { unwrapped: got, threshold },
  };
}

export function transientFinding(cluster: string, node: string, attempts: number, detail: string): Finding {
  return {
    id: 'unseal.transient-failure',
    severity: 'warning',
    cluster,
    node,
    message: `unseal of node ${node} kept failing after ${attempts} attempts: ${detail}`,
    evidence: { attempts },
  };
}

export function contendedFinding(cluster: string, node: string, detail: string): Finding {
  return { id: 'unseal.contended', severity: 'info', cluster, node, message: `node ${node} left alone: ${detail}`, evidence: {} };
}
