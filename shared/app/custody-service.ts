import { ValidationError } from '../errors.ts';
import { createCustodyContext, type CustodyServiceOptions } from './custody-context.ts';
import { importShares, type ImportRequest, type ImportResult } from './custody-import.ts';
import { initializeCluster, type InitClusterRequest, type InitClusterResult } from './custody-init.ts';
import { rewrapShares, type RewrapRequest, type RewrapResult } from './custody-rewrap.ts';
import { custodyStatus, type CustodyStatus } from './custody-status.ts';

export type { CustodyCluster, CustodyServiceOptions, CustodyWrappers } from './custody-context.ts';
export type { ImportRequest, ImportResult, StoredShare } from './custody-import.ts';
export type { InitClusterRequest, InitClusterResult } from './custody-init.ts';
export type { RewrapRequest, RewrapResult, RewrapShareResult } from './custody-rewrap.ts';
export type { CustodyStatus, UnwrapTest, WrapperStatus } from './custody-status.ts';
export type { NodeSeal } from './custody-nodes.ts';

/** Custody of Shamir shares: import, init, status, rewrap (see each operation's file). */
export interface CustodyService {
  /** Validates, cross-checks and stores shares from init output; plaintexts are zeroed. */
  importShares(request: ImportRequest): Promise<ImportResult>;
  /** Initialises an uninitialised cluster and puts its shares straight into custody. */
  initialize(request: InitClusterRequest): Promise<InitClusterResult>;
  /** Stored shares, real unwrap tests, wrapper health and the outage/compromise analysis. */
  status(clusterId: string): Promise<CustodyStatus>;
  /** Re-encrypts shares under another wrapper (or the current key of the same one). */
  rewrap(request: RewrapRequest): Promise<RewrapResult>;
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
    initialize: (request) => initializeCluster(ctx, request),
    status: (clusterId) => custodyStatus(ctx, clusterId),
    rewrap: (request) => rewrapShares(ctx, request),
  };
}
