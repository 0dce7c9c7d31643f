import type { ShareRecord } from '../core/custody-types.ts';
import { classifyNode } from '../core/classify-node.ts';
import type { Finding } from '../core/finding.ts';
import { resolvePinnedTarget } from '../core/pinned-target.ts';
import { backoffDelay, compareSealToCustody } from '../core/unseal-decision.ts';
import type { SealStatus } from '../core/vault-types.ts';
import { describeError, VaultUnreachableError } from '../errors.ts';
import type { VaultClient } from '../ports/vault-client.ts';
import { observeNode } from './observe-node.ts';
import { clearAttempt, sightingKey } from './unseal-attempt.ts';
import type { NodeUnsealDeps, NodeUnsealInput } from './unseal-node-types.ts';
import * as F from './unseal-findings.ts';
import { AUDITED, auditResult, nodeResult } from './unseal-result.ts';
import { groupFailures, unwrapShares, zeroShares, type PlainShare, type WrapperFailure } from './unseal-shares.ts';
import { verifyKeyCheck } from './unseal-key-check.ts';
import { submitShares } from './unseal-submit.ts';
import { judgeRefusal, sealNameOf } from './unseal-verdict.ts';
import type { UnsealNodeResult, UnsealOutcome, UnsealTimings } from './unseal-types.ts';

/**
 * Unseals one node under a lease the caller holds: verify the node (TLS, seal status against
 * custody), clear an abandoned foreign attempt, unwrap `t` shares that rebuild the custody's
 * key check (other subsets are tried when they do not), submit them one by one.
 * Failures before a full threshold reached Vault are retried with backoff within the caller's
 * deadline; once Vault has combined a full threshold, the run never sends another one to the
 * node (a refusal is judged by {@link judgeRefusal}). Every plaintext is zeroed in `finally`;
 * every attempt is audited.
 */
export async function unsealNodeLocked(deps: NodeUnsealDeps, input: NodeUnsealInput): Promise<UnsealNodeResult> {
  const { clock, settings } = deps;
  const { cluster, nodeId, meta } = input;
  const started = clock.now();
  const timings: UnsealTimings = { unwrapMs: 0, submitMs: 0, totalMs: 0 };
  const findings: Finding[] = [];
  const failures: WrapperFailure[] = [];
  let plain: PlainShare[] = [];
  let submitted: number[] = [];
  let ourNonce: string | null = null;
  let unsealedAt: number | undefined;
  // Written `in-progress` before the first share goes out, completed by `finish`.
  let auditKey: string | null = null;
  // The write that records our attempt's nonce; awaited before returning (no work outlives us).
  let attemptRecord: Promise<boolean> | null = null;
  const callSignal = () => AbortSignal.any([input.signal, AbortSignal.timeout(settings.callTimeoutMs)]);
  // Everything the node says is filtered for the cluster's secrets; the shares join once unwrapped.
  const redact = () => [...(input.redact ?? []), ...plain.map((s) => Buffer.from(s.bytes.buffer, s.bytes.byteOffset, s.bytes.length).toString('hex'))];
  const noteFailures = (found: readonly WrapperFailure[]) => {
    failures.push(...found.filter((f) => !failures.some((g) => g.wrapper === f.wrapper && g.index === f.index)));
    for (const f of found) deps.failingWrappers.failed(f.wrapper);
  };

  const finish = async (outcome: UnsealOutcome, message: string, client?: VaultClient): Promise<UnsealNodeResult> => {
    timings.totalMs = (unsealedAt ?? clock.now()) - started;
    // Vault cleared the attempt on these outcomes: the record of our nonce has served its purpose.
    if (attemptRecord !== null && (await attemptRecord) && ATTEMPT_OVER.has(outcome)) {
      const key = sightingKey(cluster.id, nodeId);
      await deps.store.delete(key.pk, key.sk).catch(() => undefined);
    }
    const used = submitted.length > 0 ? submitted : plain.map((s) => s.index);
    // Done with the plaintexts whatever happened; the finally below is the safety net.
    zeroShares(plain);
    for (const group of groupFailures(failures)) findings.unshift(F.wrapperFailedFinding(cluster.id, nodeId, group, outcome === 'unsealed'));
    const wrappers = wrappersOf(input.shares, used);
    const result = nodeResult(nodeId, outcome, message, { shareIndexes: used, wrappers, timings, findings });
    if (unsealedAt !== undefined) result.unsealedAt = unsealedAt;
    deps.logger[outcome === 'unsealed' ? 'info' : 'warn']('unseal.node', {
      cluster: cluster.id,
      node: nodeId,
      trigger: input.trigger,
      outcome,
      shareIndexes: used,
      wrappers,
      timings,
      message,
    });
    if (AUDITED.has(outcome) || auditKey !== null) await auditResult(deps, cluster.id, input.trigger, new Date(started).toISOString(), result, auditKey);
    if (outcome === 'unsealed' && client) {
      const observation = await observeNode(client, { timeoutMs: settings.callTimeoutMs, now: () => clock.now() });
      result.viewAfter = classifyNode(observation);
    }
    return result;
  };

  const resolved = resolvePinnedTarget(cluster, nodeId);
  if ('refused' in resolved) {
    if (resolved.refused !== 'unknown-node') findings.push(F.refusedFinding(cluster.id, nodeId, resolved.refused, resolved.detail));
    return finish('refused', resolved.detail);
  }
  if (resolved.target.insecureHttp) deps.logger.warn('unseal.insecure_http', { cluster: cluster.id, node: nodeId, url: resolved.target.url });
  let client: VaultClient;
  try {
    client = deps.vault.client(resolved.target);
  } catch (error) {
    return finish('refused', `no share sent: ${describeError(error)}`);
  }

  try {
    let lastProblem = '';
    for (let attempt = 0; attempt < settings.attempts; attempt += 1) {
      if (attempt > 0) {
        const delay = backoffDelay(attempt - 1, settings.retryBaseMs, settings.retryMaxMs);
        try {
          await clock.sleep(delay, input.signal);
        } catch {
          break;
        }
      }
      if (input.signal.aborted) break;

      // 1. Who is this node, and does it fit the custody?
      let status: SealStatus;
      try {
        status = attempt === 0 && input.prefetched ? await input.prefetched : await client.sealStatus({ signal: callSignal(), redact: redact() });
      } catch (error) {
        if (error instanceof VaultUnreachableError && error.reason === 'tls') {
          findings.push(F.refusedFinding(cluster.id, nodeId, 'tls', error.message));
          return await finish('refused', `TLS verification failed, no share sent: ${error.message}`);
        }
        lastProblem = `seal-status: ${describeError(error)}`;
        continue;
      }
      if (!status.initialized) return await finish('not-initialized', `node ${nodeId} is not initialized: nothing to unseal`);
      if (status.removedFromCluster === true) {
        findings.push(F.removedFinding(cluster.id, nodeId, 'seal-status reports removed_from_cluster: true'));
        return await finish('removed', `node ${nodeId} was removed from its raft cluster: no share sent`);
      }
      if (!status.sealed) {
        if (submitted.length > 0) unsealedAt = clock.now();
        return await finish(submitted.length > 0 ? 'unsealed' : 'not-sealed', submitted.length > 0 ? 'unsealed' : `node ${nodeId} is not sealed`, client);
      }
      const mismatches = compareSealToCustody(meta, status);
      if (mismatches.length > 0) {
        const finding = F.custodyMismatchFinding(cluster.id, nodeId, mismatches);
        findings.push(finding);
        return await finish('custody-mismatch', finding.message);
      }

      // 2. An attempt in progress: ours from a failed try, someone else's, or abandoned.
      if (status.progress > 0 && status.nonce !== '') {
        const cleared = await clearAttempt(deps, client, input, status, ourNonce, callSignal);
        if (cleared.kind === 'retry') {
          lastProblem = cleared.reason;
          continue;
        }
        if (cleared.kind === 'leave') {
          findings.push(F.contendedFinding(cluster.id, nodeId, cleared.reason));
          return await finish('contended', cleared.reason);
        }
      }

      // 3. Plaintext shares (kept across retries; zeroed in finally), proven to rebuild the
      // recorded key before Vault sees any of them.
      if (plain.length < meta.threshold) {
        zeroShares(plain);
        const unwrapStart = clock.now();
        const unwrap = {
          clusterId: cluster.id,
          kind: meta.kind,
          shareLength: meta.shareLength,
          wrapper: deps.wrapper,
          failing: deps.failingWrappers.current(),
          signal: input.signal,
        };
        const unwrapped = await unwrapShares({ ...unwrap, shares: input.shares, threshold: meta.threshold });
        timings.unwrapMs += clock.now() - unwrapStart;
        plain = unwrapped.shares;
        noteFailures(unwrapped.failures);
        for (const s of plain) deps.failingWrappers.succeeded(s.wrapper);
        if (plain.length < meta.threshold) {
          lastProblem = `only ${plain.length} of ${meta.threshold} shares could be unwrapped`;
          if (unwrapped.failures.some((f) => f.retryable)) continue;
          findings.push(F.insufficientSharesFinding(cluster.id, nodeId, plain.length, meta.threshold));
          return await finish('insufficient-shares', lastProblem);
        }
        const checkStart = clock.now();
        const checked = await verifyKeyCheck({ plain, records: input.shares, threshold: meta.threshold, keyCheck: meta.keyCheck, unwrap });
        timings.unwrapMs += clock.now() - checkStart;
        noteFailures(checked.failures);
        if (checked.kind === 'inconsistent') {
          // Already zeroed. No retry and no UNSEAL_BLOCK: Vault never saw these shares.
          plain = [];
          const unwrapFailed = checked.failures.map((f) => f.index);
          findings.push(
            F.custodyInconsistentFinding(cluster.id, nodeId, {
              tried: checked.tried,
              unwrapFailed,
              combinations: checked.combinations,
              generation: meta.generation,
            }),
          );
          return await finish(
            'custody-inconsistent',
            `no share sent: shares ${checked.tried.join(', ')} in custody (generation ${meta.generation}) do not rebuild the recorded key ` +
              `in ${checked.combinations} combination${checked.combinations === 1 ? '' : 's'}`,
          );
        }
        plain = checked.shares;
      }

      // 4. Submit one by one — audited before the first share leaves, so a crash mid-attempt
      // still leaves its start in the trail.
      await input.fence?.();
      // Our intent is recorded before the first share leaves: a crash before Vault even answers
      // still leaves a record the next operation recognises.
      if (attemptRecord === null && ourNonce === null) attemptRecord = recordOwnAttempt(deps, input, '');
      if (auditKey === null)
        auditKey = await startAudit(
          deps,
          input,
          plain.map((p) => p.index),
          wrappersOf(
            input.shares,
            plain.map((p) => p.index),
          ),
          started,
        );
      const submitStart = clock.now();
      const outcome = await submitShares({
        client,
        shares: plain,
        meta,
        clock,
        callSignal,
        onNonce: (nonce) => {
          ourNonce = nonce;
          const intent = attemptRecord;
          attemptRecord = (async () => {
            await intent;
            return recordOwnAttempt(deps, input, nonce);
          })();
        },
        completionWaitMs: settings.completionWaitMs,
        redact: redact(),
      });
      timings.submitMs += clock.now() - submitStart;
      submitted = outcome.submitted;
      switch (outcome.kind) {
        case 'unsealed':
          unsealedAt = clock.now();
          // A success proves the shares: an earlier rejection by this node was a passing fault.
          if (input.guard) await deps.custody.deleteGuard(cluster.id, nodeId);
          return await finish('unsealed', `unsealed with shares ${submitted.join(', ')}`, client);
        case 'contended':
          findings.push(F.contendedFinding(cluster.id, nodeId, outcome.reason));
          return await finish('contended', `stopped: ${outcome.reason}`);
        case 'custody-changed': {
          const finding = F.custodyMismatchFinding(cluster.id, nodeId, outcome.mismatches);
          findings.push(finding);
          return await finish('custody-mismatch', `stopped mid-attempt after share ${submitted.at(-1)}: ${finding.message}`);
        }
        case 'tls':
          findings.push(F.refusedFinding(cluster.id, nodeId, 'tls', outcome.reason));
          return await finish('refused', `TLS verification failed: ${outcome.reason}`);
        case 'vault-error':
        case 'rejected': {
          const verdict = await judgeRefusal(deps, input, outcome, { wrappers: wrappersOf(input.shares, submitted), sealType: sealNameOf(status) });
          if (verdict) {
            findings.push(...verdict.findings);
            return await finish(verdict.outcome, verdict.message);
          }
          lastProblem = `sys/unseal ${outcome.kind === 'vault-error' ? outcome.status : ''}: ${outcome.vaultError}`;
          continue;
        }
        case 'unreachable':
          lastProblem = `sys/unseal: ${outcome.reason}`;
          if (outcome.uncertain) break;
          continue;
      }
      // Only an uncertain threshold gets here: the next run decides, from the node's own state.
      break;
    }
    const detail = input.signal.aborted ? `deadline reached (${lastProblem || 'no answer'})` : lastProblem;
    findings.push(F.transientFinding(cluster.id, nodeId, settings.attempts, detail));
    return await finish('transient', detail);
  } finally {
    zeroShares(plain);
  }
}

async function startAudit(deps: NodeUnsealDeps, input: NodeUnsealInput, shareIndexes: number[], wrappers: string[], started: number): Promise<string | null> {
  try {
    return await deps.audit.record(input.cluster.id, {
      at: new Date(started).toISOString(),
      trigger: input.trigger,
      action: 'unseal',
      node: input.nodeId,
      shareIndexes,
      wrappers,
      outcome: 'in-progress',
      timings: { unwrapMs: 0, submitMs: 0, totalMs: 0 },
      message: `sending shares ${shareIndexes.join(', ')}${input.operation ? ` (operation ${input.operation})` : ''}`,
    });
  } catch (error) {
    deps.logger.error('audit.write_failed', { cluster: input.cluster.id, node: input.nodeId, outcome: 'in-progress', error });
    return null;
  }
}

/**
 * Remembers our own attempt with the operation that started it — before the first share (nonce
 * `""`, not known yet), then with Vault's nonce: should this process die mid-attempt, the next
 * operation (which then holds the cluster lease, so this one is gone) recognises the attempt as
 * sealwatch's and resets it at once instead of waiting it out.
 */
async function recordOwnAttempt(deps: NodeUnsealDeps, input: NodeUnsealInput, nonce: string): Promise<boolean> {
  if (!input.operation) return false;
  const key = sightingKey(input.cluster.id, input.nodeId);
  const now = deps.clock.now();
  try {
    await deps.store.put({
      ...key,
      data: { nonce, progress: 1, at: now, owner: input.operation },
      expiresAt: Math.floor(now / 1000) + 86_400,
      condition: { kind: 'any' },
    });
    return true;
  } catch (error) {
    deps.logger.warn('unseal.attempt_record_failed', { cluster: input.cluster.id, node: input.nodeId, error });
    return false;
  }
}

/** Outcomes after which Vault holds no attempt of ours. */
const ATTEMPT_OVER: ReadonlySet<UnsealOutcome> = new Set(['unsealed', 'wrong-key', 'rejected', 'seal-failure', 'removed', 'not-sealed']);

function wrappersOf(shares: readonly ShareRecord[], indexes: number[]): string[] {
  return [...new Set(indexes.map((i) => shares.find((s) => s.index === i)?.wrapper ?? '?'))];
}
