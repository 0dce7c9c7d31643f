import type { Finding } from '../core/finding.ts';
import type { Logger } from '../ports/logger.ts';
import type { AuditLog } from './audit-log.ts';
import type { UnsealNodeResult, UnsealOutcome, UnsealTimings } from './unseal-types.ts';

/** Outcomes that count as an attempt and are audited (skips, blocks and dry runs are not). */
export const AUDITED: ReadonlySet<UnsealOutcome> = new Set([
  'unsealed',
  'wrong-key',
  'rejected',
  'seal-failure',
  'removed',
  'custody-mismatch',
  'custody-inconsistent',
  'refused',
  'insufficient-shares',
  'contended',
  'transient',
]);

const NO_TIME: UnsealTimings = { unwrapMs: 0, submitMs: 0, totalMs: 0 };

/** A node's result; the report carries the same facts for the sweep. */
export function nodeResult(
  nodeId: string,
  outcome: UnsealOutcome,
  message: string,
  details: { shareIndexes?: number[]; wrappers?: string[]; timings?: UnsealTimings; findings?: Finding[] } = {},
): UnsealNodeResult {
  const shareIndexes = details.shareIndexes ?? [];
  const wrappers = details.wrappers ?? [];
  const timings = { ...(details.timings ?? NO_TIME) };
  return {
    nodeId,
    outcome,
    message,
    shareIndexes,
    wrappers,
    timings,
    findings: details.findings ?? [],
    report: { kind: 'unseal', nodeId, outcome, message, durationMs: timings.totalMs, shareIndexes, wrappers, timings },
  };
}

/**
 * Writes the audit event of an attempt — or completes the `in-progress` event written before its
 * first share (`auditKey`); a failed write is logged loudly, never fatal.
 */
export async function auditResult(
  deps: { audit: AuditLog; logger: Logger },
  clusterId: string,
  trigger: string,
  startedIso: string,
  result: UnsealNodeResult,
  auditKey: string | null = null,
): Promise<void> {
  try {
    const event = {
      at: startedIso,
      trigger,
      action: 'unseal',
      node: result.nodeId,
      shareIndexes: result.shareIndexes,
      wrappers: result.wrappers,
      outcome: result.outcome,
      timings: result.timings,
      message: result.message,
    } as const;
    if (auditKey === null) await deps.audit.record(clusterId, event);
    else await deps.audit.update(clusterId, auditKey, event);
  } catch (error) {
    // The unseal happened (or not) either way; a lost audit line must be loud, not fatal.
    deps.logger.error('audit.write_failed', { cluster: clusterId, node: result.nodeId, outcome: result.outcome, error });
  }
}
