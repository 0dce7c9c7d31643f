import { probePeerCertificate } from '../adapters/tls-certificate-probe.ts';
import type { AuditLog } from '../app/audit-log.ts';
import type { CustodyRepository } from '../app/custody-repository.ts';
import { createCertInspector } from '../app/inspectors/cert-inspector.ts';
import { createNodeInspector } from '../app/inspectors/node-inspector.ts';
import { createRaftInspector } from '../app/inspectors/raft-inspector.ts';
import { createRaftRecoveryService, type RaftRecoveryService, type RecoveryCluster } from '../app/raft-recovery-service.ts';
import { createRaftReader, type RaftReader } from '../app/raft-read.ts';
import { createRaftRemovalPlanner, type RaftPlanner } from '../app/raft-removal-planner.ts';
import { pinnedTarget } from '../core/pinned-target.ts';
import type { ActionExecutor, ClusterInspector } from '../app/sweep.ts';
import type { ActionReport, SweepCluster } from '../app/sweep-types.ts';
import type { Finding } from '../core/finding.ts';
import type { VaultTarget } from '../core/vault-target.ts';
import type { UnsealService } from '../app/unseal-service.ts';
import { createVaultTokenSource, type VaultTokenSource } from '../app/vault-token.ts';
import type { ClusterConfig, SealwatchConfig } from '../config/types.ts';
import type { AwsIamLogin } from '../ports/aws-iam-login.ts';
import type { CertificateProbe } from '../ports/certificate-probe.ts';
import type { Clock } from '../ports/clock.ts';
import type { LeaseManager } from '../ports/lease.ts';
import type { Logger } from '../ports/logger.ts';
import type { StateStore } from '../ports/state-store.ts';
import type { VaultClientFactory } from '../ports/vault-client.ts';
import type { KeyWrapperRegistry } from './key-wrappers.ts';

export interface HealthServices {
  tokens: VaultTokenSource;
  recovery: RaftRecoveryService;
  /** Recovery view of every configured cluster, by id. */
  recoveryClusters: Map<string, RecoveryCluster>;
  inspectors: ClusterInspector[];
  /** Applies the plan's raft actions (`raft-join`, `raft-remove-peer`; the sweep's one executor dispatches here). */
  executeRaft: ActionExecutor;
  /** The sweep's one raft read per cluster (shared by the raft planner and the raft inspector). */
  raftRead: RaftReader;
  /** Plans the dead-peer removal from the raft read (`raft.removeDeadPeers`). */
  raftPlanner: RaftPlanner;
}

/** Cluster health (issue #4): control tokens, raft recovery and the sweep's inspectors. */
export function createHealthServices(deps: {
  config: SealwatchConfig;
  clusters: readonly SweepCluster[];
  store: StateStore;
  leases: LeaseManager;
  vault: VaultClientFactory;
  wrappers: KeyWrapperRegistry;
  custody: CustodyRepository;
  audit: AuditLog;
  unseal: UnsealService;
  clock: Clock;
  logger: Logger;
  awsIam?: AwsIamLogin;
  certificateProbe?: CertificateProbe;
}): HealthServices {
  const { config, clock } = deps;
  const configs = new Map(config.clusters.map((c) => [c.id, c]));
  const recoveryClusters = new Map<string, RecoveryCluster>(deps.clusters.map((c) => [c.id, { ...c, ...healthKeys(configs.get(c.id)) }]));
  const tokens = createVaultTokenSource({
    custody: deps.custody,
    wrappers: deps.wrappers,
    clock,
    awsIam: deps.awsIam ?? lazyAwsIamLogin(deps.vault, deps.clusters),
  });
  const recovery = createRaftRecoveryService({ ...deps, tokens });
  const inspectors: ClusterInspector[] = [
    createNodeInspector(),
    createRaftInspector({ clock }),
    createCertInspector({
      probe: deps.certificateProbe ?? probePeerCertificate,
      ...(!deps.certificateProbe && deps.vault.peerCertificate ? { known: (target: VaultTarget) => deps.vault.peerCertificate?.(target) ?? null } : {}),
      clock,
      days: (id) => configs.get(id)?.checks?.certExpiryDays ?? 14,
    }),
  ];
  const raftRead = createRaftReader({ clusters: recoveryClusters, vault: deps.vault, tokens });
  const raftPlanner = createRaftRemovalPlanner({ clusters: recoveryClusters, recovery });
  const executeRaft: ActionExecutor = async ({ cluster, action, trigger, signal, held }) => {
    const settings = recoveryClusters.get(cluster.id) ?? cluster;
    if (action.kind === 'raft-remove-peer') {
      const token = await tokens.tokenFor(settings, signal);
      if (token === null) throw new Error(`cluster ${cluster.id} has no control token for remove-peer`);
      const leader = deps.vault.client(pinnedTarget(settings, action.leader));
      const report = await recovery.applyRemoval({
        cluster: settings,
        peer: action.nodeId,
        leader,
        token,
        why: action.reason,
        trigger,
        signal,
        ...(held ? { held } : {}),
      });
      const ok = report.outcome === 'removed';
      const finding: Finding = {
        id: ok ? 'raft.peer-removed' : 'raft.remove-failed',
        severity: ok ? 'info' : 'warning',
        cluster: cluster.id,
        node: report.nodeId,
        message: report.message,
        evidence: { outcome: report.outcome, durationMs: report.durationMs },
      };
      return { report, findings: [finding] };
    }
    if (action.kind !== 'raft-join') throw new Error(`no executor for ${action.kind}`);
    const nodes = [
      { nodeId: action.leader, state: 'active' as const },
      { nodeId: action.nodeId, state: 'uninitialized' as const },
    ];
    const [report] = await recovery.join({ cluster: settings, nodes, trigger, signal, ...(held ? { held } : {}) });
    if (!report) throw new Error(`raft join of ${action.nodeId} planned but not attempted`);
    return { report, findings: [joinFinding(cluster.id, report)], changed: report.outcome !== 'not-uninitialized' };
  };
  return { tokens, recovery, recoveryClusters, inspectors, executeRaft, raftRead, raftPlanner };
}

function joinFinding(clusterId: string, action: ActionReport): Finding {
  const ok = action.outcome === 'joined';
  return {
    id: ok ? 'raft.node-joined' : 'raft.join-failed',
    severity: ok ? 'info' : 'warning',
    cluster: clusterId,
    node: action.nodeId,
    message: action.message,
    evidence: { outcome: action.outcome, durationMs: action.durationMs },
  };
}

function healthKeys(cluster: ClusterConfig | undefined): Partial<RecoveryCluster> {
  if (!cluster) return {};
  return {
    ...(cluster.raft ? { raft: cluster.raft } : {}),
    ...(cluster.auth ? { auth: cluster.auth } : {}),
    ...(cluster.autoUnseal === undefined ? {} : { autoUnseal: cluster.autoUnseal }),
  };
}

/** Loads the AWS SDK credential chain only when a cluster actually logs in with AWS IAM. */
function lazyAwsIamLogin(vault: VaultClientFactory, clusters: readonly SweepCluster[]): AwsIamLogin {
  let login: Promise<AwsIamLogin> | undefined;
  return async (cluster, auth, signal) => {
    login ??= import('../adapters/aws-iam-vault-auth.ts').then((m) => m.createAwsIamLogin({ vault, clusters }));
    return (await login)(cluster, auth, signal);
  };
}
