import type { ActionExecutor } from './sweep-types.ts';
import type { UnsealService } from './unseal-service.ts';

/**
 * The executor of a dry run (`recover --dry-run`, the API's `dryRun`): the same plan as the real
 * run, each action described instead of applied. Nothing is unwrapped, sent, joined, removed,
 * backed up or written. An unseal is described by the unseal service's own dry run (its plan per
 * node: the share indexes and wrappers it would use, or why it would send nothing).
 */
export function createDryRunExecutor(deps: { unseal: Pick<UnsealService, 'unsealCluster'> }): ActionExecutor {
  return async ({ cluster, action, trigger, signal }) => {
    const would = (outcome: string, message: string) => ({ report: { kind: action.kind, nodeId: action.nodeId, outcome, message, durationMs: 0 } });
    switch (action.kind) {
      case 'unseal': {
        const result = await deps.unseal.unsealCluster({ cluster, nodeIds: [action.nodeId], trigger, signal, dryRun: true });
        const node = result.nodes[0];
        if (!node) throw new Error(`the unseal dry run of ${action.nodeId} returned nothing`);
        return { report: node.report, findings: node.findings };
      }
      case 'raft-join':
        return would('would-join', `would join ${action.nodeId} to the raft cluster led by ${action.leader} and unseal it from custody`);
      case 'raft-remove-peer':
        return would('would-remove', `would remove raft peer ${action.nodeId} through ${action.leader}: ${action.reason}`);
      case 'storage-backup':
        // Not reached by `recover --dry-run` today (it runs no checks, and the storage check plans
        // the backup); described all the same, as every action kind is.
        return would('would-back-up', `would take the on-demand backup ${action.backupName} of ${action.table}: ${action.reason}`);
    }
  };
}
