import { analyzeCustody, type CustodyAnalysis } from '../core/custody-analysis.ts';
import { resolveCustodyPolicy } from '../core/custody-policy.ts';
import { isBlocked, shareContext, standingBlocks, type CustodyKind, type ShareRecord, type UnsealBlocks } from '../core/custody-types.ts';
import type { Finding } from '../core/finding.ts';
import { describeError, NotFoundError, SealwatchError } from '../errors.ts';
import type { KeyHealth } from '../ports/key-wrapper.ts';
import { deadline, type CustodyContext } from './custody-context.ts';
import { clusterBlockedFinding, guardFinding } from './unseal-findings.ts';

export interface UnwrapTest {
  keyId: string;
  /** The share that was unwrapped (its plaintext was checked for length, then zeroed). */
  index: number;
  ok: boolean;
  error?: string;
  code?: string;
}

export interface WrapperStatus {
  id: string;
  kind: string;
  provider: string;
  configured: boolean;
  /** Share indexes stored under this wrapper. */
  shares: number[];
  /** Every key version holding a share of this wrapper unwrapped one share. */
  canUnwrap: boolean;
  unwrapTests: UnwrapTest[];
  health: Pick<KeyHealth, 'status' | 'problems' | 'details' | 'keyId'> | null;
}

export interface CustodyStatus {
  cluster: string;
  kind: CustodyKind;
  threshold: number;
  shares: number;
  shareLength: number;
  generation: number;
  createdAt: string;
  records: { index: number; wrapper: string; keyId: string; wrappedAt: string; usable: boolean }[];
  /** Indexes 1..shares without a stored record. */
  missing: number[];
  wrappers: WrapperStatus[];
  usableShares: number;
  thresholdReachable: boolean;
  rootTokenStored: boolean;
  /** Shares stored under another wrapper than the config's custody policy names (after a rewrap). */
  policyDrift: { index: number; stored: string; policy: string }[];
  analysis: CustodyAnalysis;
  /** Wrong-key and rejection blocks of this generation: blocked nodes get no share. */
  blocks: UnsealBlocks;
  /** Some node, or the whole cluster, is blocked. */
  blocked: boolean;
  findings: Finding[];
}

/**
 * `keys status`: what custody holds and whether it works right now. For every (wrapper, key
 * version) holding shares, one share is really unwrapped (plaintext length checked, then zeroed)
 * and every wrapper's `health()` runs, all in parallel. The shares of a group that unwrapped count
 * as usable.
 *
 * @throws NotFoundError when the cluster has no custody.
 */
export async function custodyStatus(ctx: CustodyContext, clusterId: string): Promise<CustodyStatus> {
  const cluster = ctx.cluster(clusterId);
  const meta = await ctx.repo.meta(cluster.id);
  if (!meta) throw new NotFoundError(`cluster ${cluster.id} has no custody`, { missing: 'custody' });
  const { kind, threshold, shareLength } = meta.data;
  const records = (await ctx.repo.shares(cluster.id)).map((item) => item.data);
  const [token, clusterBlock, guards] = await Promise.all([ctx.repo.token(cluster.id, 'root'), ctx.repo.block(cluster.id), ctx.repo.guards(cluster.id)]);
  const blocks = standingBlocks(
    meta.data.generation,
    clusterBlock?.data ?? null,
    guards.map((g) => g.data),
  );
  const facts = new Map(ctx.options.wrappers.facts().map((f) => [f.id, f]));

  const groups = new Map<string, ShareRecord[]>();
  for (const record of records) {
    const key = `${record.wrapper}\n${record.keyId}`;
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  const tests = await Promise.all(
    [...groups.values()].map(async (group) => ({
      wrapper: group[0]!.wrapper,
      indexes: group.map((r) => r.index),
      test: await unwrapTest(ctx, cluster.id, kind, shareLength, group[0]!),
    })),
  );
  const wrapperIds = [...new Set(records.map((r) => r.wrapper))];
  const healths = new Map(await Promise.all(wrapperIds.map(async (id) => [id, await healthOf(ctx, id)] as const)));

  const usable = new Set(tests.filter((t) => t.test.ok).flatMap((t) => t.indexes));
  const wrappers: WrapperStatus[] = wrapperIds.map((id) => {
    const own = tests.filter((t) => t.wrapper === id);
    return {
      id,
      kind: facts.get(id)?.kind ?? 'unconfigured',
      provider: facts.get(id)?.provider ?? `unconfigured:${id}`,
      configured: facts.has(id),
      shares: records.filter((r) => r.wrapper === id).map((r) => r.index),
      canUnwrap: own.every((t) => t.test.ok),
      unwrapTests: own.map((t) => t.test),
      health: healths.get(id) ?? null,
    };
  });
  const analysis = analyzeCustody({
    clusterId: cluster.id,
    threshold,
    shares: records.map((r) => ({ index: r.index, wrapper: r.wrapper })),
    wrappers: [...facts.values()],
    now: {
      usableIndexes: [...usable],
      unavailable: wrappers.filter((w) => !w.canUnwrap).map((w) => ({ wrapper: w.id, reason: w.unwrapTests.find((t) => !t.ok)?.error ?? 'cannot unwrap' })),
    },
  });

  const present = new Set(records.map((r) => r.index));
  return {
    cluster: cluster.id,
    kind,
    threshold,
    shares: meta.data.shares,
    shareLength,
    generation: meta.data.generation,
    createdAt: meta.data.createdAt,
    records: records.map((r) => ({ index: r.index, wrapper: r.wrapper, keyId: r.keyId, wrappedAt: r.wrappedAt, usable: usable.has(r.index) })),
    missing: Array.from({ length: meta.data.shares }, (_, i) => i + 1).filter((i) => !present.has(i)),
    wrappers,
    usableShares: usable.size,
    thresholdReachable: usable.size >= threshold,
    rootTokenStored: token !== null,
    policyDrift: policyDrift(ctx, cluster.id, records),
    analysis,
    blocks,
    blocked: isBlocked(blocks),
    findings: [...blockFindings(cluster.id, blocks), ...analysis.findings],
  };
}

function blockFindings(clusterId: string, blocks: UnsealBlocks): Finding[] {
  return [...(blocks.cluster ? [clusterBlockedFinding(clusterId, blocks.cluster)] : []), ...blocks.nodes.map((g) => guardFinding(clusterId, g, null))];
}

async function unwrapTest(ctx: CustodyContext, clusterId: string, kind: CustodyKind, shareLength: number, record: ShareRecord): Promise<UnwrapTest> {
  const base = { keyId: record.keyId, index: record.index };
  const wrapper = ctx.options.wrappers.get(record.wrapper);
  if (!wrapper) return { ...base, ok: false, code: 'wrapper_not_configured', error: `wrapper ${record.wrapper} is not configured` };
  try {
    const plaintext = await wrapper.unwrap(
      { wrapper: record.wrapper, keyId: record.keyId, ciphertext: record.ciphertext },
      shareContext(clusterId, kind, record.index),
      deadline(ctx.wrapperTimeoutMs),
    );
    const length = plaintext.length;
    plaintext.fill(0);
    if (length !== shareLength) {
      return { ...base, ok: false, code: 'share_length_mismatch', error: `share ${record.index} unwrapped to ${length} bytes, custody records ${shareLength}` };
    }
    return { ...base, ok: true };
  } catch (error) {
    return { ...base, ok: false, code: error instanceof SealwatchError ? error.code : 'error', error: describeError(error) };
  }
}

async function healthOf(ctx: CustodyContext, id: string): Promise<WrapperStatus['health']> {
  const wrapper = ctx.options.wrappers.get(id);
  if (!wrapper) return null;
  try {
    const h = await wrapper.health(deadline(ctx.wrapperTimeoutMs));
    return { keyId: h.keyId, status: h.status, problems: h.problems, details: h.details };
  } catch (error) {
    return { keyId: '', status: 'critical', problems: [{ code: 'health-failed', message: describeError(error) }], details: {} };
  }
}

function policyDrift(ctx: CustodyContext, clusterId: string, records: readonly ShareRecord[]): CustodyStatus['policyDrift'] {
  const cluster = ctx.cluster(clusterId);
  const maxIndex = Math.max(0, ...records.map((r) => r.index));
  let policy: Map<number, string>;
  try {
    const assignment = resolveCustodyPolicy({ clusterId, policy: cluster.custody, wrapperIds: ctx.options.wrappers.ids(), shareCount: maxIndex });
    policy = new Map(assignment.shares.map((s) => [s.index, s.wrapper]));
  } catch {
    return [];
  }
  return records
    .filter((r) => policy.has(r.index) && policy.get(r.index) !== r.wrapper)
    .map((r) => ({ index: r.index, stored: r.wrapper, policy: policy.get(r.index) as string }));
}
