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
      `Vault rejected the combined shares ${shareIndexes.join(', ')} as the wrong key: unsealing of cluster ${cluster} is stopped ` +
      `until its custody is replaced (generation ${generation})`,
    evidence: { vaultError, shareIndexes, wrappers, custodyGeneration: generation },
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
