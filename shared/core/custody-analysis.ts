import type { Finding } from './finding.ts';

/** A wrapper as the analysis sees it: who operates the key, not how to reach it. */
export interface WrapperFacts {
  id: string;
  kind: string;
  /**
   * The party whose outage or compromise takes every key it holds: an AWS account (or KMS
   * endpoint), an Azure key vault, or sealwatch's own configuration for local keys.
   */
  provider: string;
}

export interface CustodyAnalysisInput {
  clusterId: string;
  threshold: number;
  /** The stored shares and the wrapper each sits under. */
  shares: readonly { index: number; wrapper: string }[];
  /** Facts of the configured wrappers; a share under an unknown wrapper counts as its own provider. */
  wrappers: readonly WrapperFacts[];
  /** What works right now (from real unwrap tests); omitted for a purely structural analysis. */
  now?: {
    usableIndexes: readonly number[];
    unavailable: readonly { wrapper: string; reason: string }[];
  };
}

/** One wrapper, or one provider (several wrappers), and what losing it means. */
export interface HolderAnalysis {
  id: string;
  kind: string;
  wrappers: string[];
  indexes: number[];
  /** Shares still usable if this holder is down. */
  sharesLeftIfDown: number;
  /** `sharesLeftIfDown` ≥ threshold. */
  survivesOutage: boolean;
  /** Holds ≥ threshold shares: whoever controls it alone can rebuild the key. */
  compromiseRevealsKey: boolean;
}

export interface CustodyAnalysis {
  threshold: number;
  shares: number;
  byWrapper: HolderAnalysis[];
  byProvider: HolderAnalysis[];
  survivesAnySingleWrapperOutage: boolean;
  survivesAnySingleProviderOutage: boolean;
  /** Providers that alone hold ≥ threshold shares. */
  singleProviderCompromise: string[];
  /** Null without `now`. */
  usableNow: number | null;
  thresholdReachableNow: boolean | null;
  findings: Finding[];
}

/**
 * What the arrangement of shares over wrappers survives: for each wrapper and each provider,
 * whether the threshold is still reachable while it is down, and whether it alone holds enough
 * shares to rebuild the key. With `now`, also whether the threshold is reachable at this moment.
 */
export function analyzeCustody(input: CustodyAnalysisInput): CustodyAnalysis {
  const { clusterId, threshold } = input;
  const facts = new Map(input.wrappers.map((w) => [w.id, w]));
  const factsOf = (wrapper: string): WrapperFacts => facts.get(wrapper) ?? { id: wrapper, kind: 'unconfigured', provider: `unconfigured:${wrapper}` };
  const total = input.shares.length;

  const group = (keyOf: (f: WrapperFacts) => string): HolderAnalysis[] => {
    const holders = new Map<string, HolderAnalysis>();
    for (const share of input.shares) {
      const f = factsOf(share.wrapper);
      const key = keyOf(f);
      const holder = holders.get(key) ?? {
        id: key,
        kind: f.kind,
        wrappers: [],
        indexes: [],
        sharesLeftIfDown: 0,
        survivesOutage: false,
        compromiseRevealsKey: false,
      };
      if (!holder.wrappers.includes(f.id)) holder.wrappers.push(f.id);
      holder.indexes.push(share.index);
      holders.set(key, holder);
    }
    return [...holders.values()].map((h) => {
      const left = total - h.indexes.length;
      return {
        ...h,
        wrappers: h.wrappers.sort(),
        indexes: h.indexes.sort((a, b) => a - b),
        sharesLeftIfDown: left,
        survivesOutage: left >= threshold,
        compromiseRevealsKey: h.indexes.length >= threshold,
      };
    });
  };

  const byWrapper = group((f) => f.id);
  const byProvider = group((f) => f.provider);
  const singleProviderCompromise = byProvider.filter((p) => p.compromiseRevealsKey).map((p) => p.id);
  const fragile = byProvider.filter((p) => !p.survivesOutage);
  const usableNow = input.now ? new Set(input.now.usableIndexes).size : null;
  const thresholdReachableNow = usableNow === null ? null : usableNow >= threshold;

  const findings: Finding[] = [];
  for (const down of input.now?.unavailable ?? []) {
    const indexes = input.shares.filter((s) => s.wrapper === down.wrapper).map((s) => s.index);
    findings.push({
      id: 'custody.wrapper-unavailable',
      severity: thresholdReachableNow === false ? 'critical' : 'warning',
      cluster: clusterId,
      message: `wrapper ${down.wrapper} cannot unwrap share${indexes.length === 1 ? '' : 's'} ${indexes.join(', ')} right now: ${down.reason}`,
      evidence: { wrapper: down.wrapper, shares: indexes, reason: down.reason },
    });
  }
  if (thresholdReachableNow === false) {
    findings.push({
      id: 'custody.threshold-unreachable',
      severity: 'critical',
      cluster: clusterId,
      message: `only ${usableNow} of ${total} shares can be unwrapped now; ${threshold} are needed to unseal`,
      evidence: { usable: usableNow, threshold, shares: total },
    });
  }
  if (singleProviderCompromise.length > 0) {
    findings.push({
      id: 'custody.single-provider-compromise',
      severity: 'warning',
      cluster: clusterId,
      message: `${singleProviderCompromise.join(', ')} alone hold${singleProviderCompromise.length === 1 ? 's' : ''} at least ${threshold} shares: a compromise of ${singleProviderCompromise.length === 1 ? 'it' : 'any one of them'} reveals the key`,
      evidence: { providers: singleProviderCompromise, threshold },
    });
  }
  if (fragile.length > 0) {
    findings.push({
      id: 'custody.no-outage-tolerance',
      severity: 'warning',
      cluster: clusterId,
      message: `an outage of ${fragile.map((p) => p.id).join(' or ')} leaves fewer than ${threshold} usable shares`,
      evidence: { providers: fragile.map((p) => p.id), threshold },
    });
  }

  return {
    threshold,
    shares: total,
    byWrapper,
    byProvider,
    survivesAnySingleWrapperOutage: byWrapper.every((w) => w.survivesOutage),
    survivesAnySingleProviderOutage: fragile.length === 0,
    singleProviderCompromise,
    usableNow,
    thresholdReachableNow,
    findings,
  };
}
