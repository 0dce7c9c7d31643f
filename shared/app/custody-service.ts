import { ValidationError } from '../errors.ts';
import { createCustodyContext, type CustodyServiceOptions } from './custody-context.ts';
import { importShares, planImport, type ImportPlan, type ImportRequest, type ImportResult } from './custody-import.ts';
import { initializeCluster, planInit, type InitClusterRequest, type InitClusterResult, type InitPlan } from './custody-init.ts';
import { planRewrapShares, rewrapShares, type RewrapPlanResult, type RewrapRequest, type RewrapResult } from './custody-rewrap.ts';
import { custodyStatus, type CustodyStatus } from './custody-status.ts';

export type { CustodyCluster, CustodyServiceOptions, CustodyWrappers } from './custody-context.ts';
export type { ImportPlan, ImportRequest, ImportResult, StoredShare } from './custody-import.ts';
export type { InitClusterRequest, InitClusterResult, InitPlan } from './custody-init.ts';
export type { RewrapPlanResult, RewrapRequest, RewrapResult, RewrapShareResult } from './custody-rewrap.ts';
export type { CustodyStatus, UnwrapTest, WrapperStatus } from './custody-status.ts';
export type { NodeSeal } from './custody-nodes.ts';

/**
 * Custody of Shamir shares: import, init, status, rewrap (see each operation's file). Each write
 * is planned (`shared/core/plan-custody-*.ts`) and the plan applied under the cluster lease
 * (import and init by `custody-executor.ts`, rewrap by `applyRewrap`); each `plan…` method is the dry run: the same checks and the same plan, no share
 * or token wrapped, sent to Vault or written (init's check still wraps and unwraps a random test
 * value with each wrapper it would use).
 */
export interface CustodyService {
  /** Validates, cross-checks and stores shares from init output; plaintexts are zeroed. */
  importShares(request: ImportRequest): Promise<ImportResult>;
  planImport(request: ImportRequest): Promise<ImportPlan>;
  /** Initialises an uninitialised cluster and puts its shares straight into custody. */
  initialize(request: InitClusterRequest): Promise<InitClusterResult>;
  planInit(request: InitClusterRequest): Promise<InitPlan>;
  /** Stored shares, real unwrap tests, wrapper health and the outage/compromise analysis. */
  status(clusterId: string): Promise<CustodyStatus>;
  /** Re-encrypts shares under another wrapper (or the current key of the same one). */
  rewrap(request: RewrapRequest): Promise<RewrapResult>;
  planRewrap(request: RewrapRequest): Promise<RewrapPlanResult>;
}

/**
 * Creates the custody service.
 *
 * @throws ValidationError for duplicate cluster ids or non-positive timeouts.
 */
export function createCustodyService(options: CustodyServiceOptions): CustodyService {
  const problems: string[] = [];
  const ids = options.clusters.map((c) => c.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined) problems.push(`clusters: id ${duplicate} appears twice`);
  for (const [name, value] of Object.entries({
    nodeTimeoutMs: options.nodeTimeoutMs,
    wrapperTimeoutMs: options.wrapperTimeoutMs,
    initTimeoutMs: options.initTimeoutMs,
  })) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) problems.push(`${name}: must be a positive number of milliseconds`);
  }
  if (problems.length > 0) throw new ValidationError('invalid custody service options', problems);
  const ctx = createCustodyContext(options);
  return {
    importShares: (request) => importShares(ctx, request),
    planImport: (request) => planImport(ctx, request),
    initialize: (request) => initializeCluster(ctx, request),
    planInit: (request) => planInit(ctx, request),
    status: (clusterId) => custodyStatus(ctx, clusterId),
    rewrap: (request) => rewrapShares(ctx, request),
    planRewrap: (request) => planRewrapShares(ctx, request),
  };
}
