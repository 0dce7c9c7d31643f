import type { AuditEvent } from './audit-log.ts';
import type { CustodyContext } from './custody-context.ts';

/**
 * The audit trail of a custody write (import, init, rewrap): begun as `in-progress` before the
 * first write, so an operation that dies half-way still leaves its start in the trail, then given
 * its outcome. Identifiers only: share indexes, wrapper ids, generations.
 */
export interface CustodyAudit {
  finish(outcome: string, message: string): Promise<void>;
}

export async function beginCustodyAudit(
  ctx: CustodyContext,
  clusterId: string,
  what: { action: 'custody-write' | 'custody-rewrap'; shareIndexes: number[]; wrappers: string[]; message: string },
): Promise<CustodyAudit> {
  const { audit, clock } = ctx.options;
  const startedAt = clock.now();
  const event = (outcome: string, message: string): AuditEvent => ({
    at: new Date(startedAt).toISOString(),
    trigger: ctx.options.trigger ?? 'cli',
    action: what.action,
    node: '-',
    shareIndexes: [...what.shareIndexes].sort((a, b) => a - b),
    wrappers: [...new Set(what.wrappers)].sort(),
    outcome,
    timings: { unwrapMs: 0, submitMs: 0, totalMs: Math.max(0, clock.now() - startedAt) },
    message: message.slice(0, 500),
  });
  const sk = await audit.record(clusterId, event('in-progress', what.message));
  return {
    async finish(outcome, message) {
      try {
        await audit.update(clusterId, sk, event(outcome, message));
      } catch (error) {
        // The writes are done either way; the trail keeps the in-progress event.
        ctx.options.logger?.error('custody.audit_failed', { cluster: clusterId, error });
      }
    },
  };
}
