import { ValidationError } from './errors.ts';

/** `clusters[].custody` from the config: which wrapper protects which 1-based share index. */
export interface CustodyPolicy {
  /** Wrapper for every index not listed in `shares`. */
  default?: string;
  shares: Record<string, readonly number[]>;
}

export interface CustodyPolicyInput {
  clusterId: string;
  policy?: CustodyPolicy | undefined;
  /** Ids of the configured wrappers, in config order. */
  wrapperIds: readonly string[];
  shareCount: number;
}

export interface ShareAssignment {
  index: number;
  wrapper: string;
}

export interface CustodyAssignment {
  /** One entry per share, index 1..shareCount in order. */
  shares: ShareAssignment[];
  /** `policy` when `clusters[].custody` decided; `single-wrapper` when the only wrapper did. */
  source: 'policy' | 'single-wrapper';
  /** Harmless oddities worth showing, e.g. the policy lists indexes beyond the share count. */
  warnings: string[];
}

/**
 * Decides the wrapper of every share index. With a policy: the wrapper listing the index, else
 * the policy's default; an index neither covers is an error. Without a policy: the one
 * configured wrapper, or an error when there are none or several (spreading shares over
 * providers must be a deliberate choice written in the config).
 *
 * @throws ValidationError listing every problem.
 */
export function resolveCustodyPolicy(input: CustodyPolicyInput): CustodyAssignment {
  const { clusterId, policy, wrapperIds, shareCount } = input;
  const known = new Set(wrapperIds);
  if (policy === undefined) {
    if (wrapperIds.length === 1) {
      const only = wrapperIds[0] as string;
      return { shares: range(shareCount).map((index) => ({ index, wrapper: only })), source: 'single-wrapper', warnings: [] };
    }
    throw new ValidationError(
      wrapperIds.length === 0
        ? `no key wrapper is configured: add one under wrappers (local, awsKms or azureKeyVault) before storing shares of cluster ${clusterId}`
        : `cluster ${clusterId} has no custody policy and ${wrapperIds.length} wrappers are configured (${wrapperIds.join(', ')}): set clusters[].custody.default or custody.shares`,
      [`clusters[${clusterId}].custody: missing`],
    );
  }

  const problems: string[] = [];
  const warnings: string[] = [];
  const owner = new Map<number, string>();
  if (policy.default !== undefined && !known.has(policy.default)) {
    problems.push(`custody.default: wrapper '${policy.default}' is not configured`);
  }
  for (const [wrapper, indexes] of Object.entries(policy.shares)) {
    if (!known.has(wrapper)) problems.push(`custody.shares.${wrapper}: wrapper '${wrapper}' is not configured`);
    for (const index of indexes) {
      const previous = owner.get(index);
      if (previous !== undefined && previous !== wrapper) {
        problems.push(`custody.shares: share ${index} is given to both '${previous}' and '${wrapper}'`);
      } else owner.set(index, wrapper);
      if (index > shareCount) {
        warnings.push(`custody.shares.${wrapper} lists share ${index}, but there are only ${shareCount} shares`);
      }
    }
  }
  const shares: ShareAssignment[] = [];
  const uncovered: number[] = [];
  for (const index of range(shareCount)) {
    const wrapper = owner.get(index) ?? policy.default;
    if (wrapper === undefined) uncovered.push(index);
    else shares.push({ index, wrapper });
  }
  if (uncovered.length > 0) {
    problems.push(
      `custody: share${uncovered.length > 1 ? 's' : ''} ${uncovered.join(', ')} of ${shareCount} ${uncovered.length > 1 ? 'have' : 'has'} no wrapper: list ${uncovered.length > 1 ? 'them' : 'it'} under custody.shares or set custody.default`,
    );
  }
  if (problems.length > 0) throw new ValidationError(`the custody policy of cluster ${clusterId} cannot place the shares`, problems);
  return { shares, source: 'policy', warnings };
}

/**
 * The wrapper a Vault token of this cluster is kept under: the policy's default, else the
 * wrapper of share 1 (the assignment must come from {@link resolveCustodyPolicy}).
 */
export function tokenWrapperOf(policy: CustodyPolicy | undefined, assignment: CustodyAssignment): string {
  const fallback = assignment.shares[0]?.wrapper;
  const chosen = policy?.default ?? fallback;
  if (chosen === undefined) throw new ValidationError('no wrapper available for the root token');
  return chosen;
}

function range(n: number): number[] {
  return Array.from({ length: Math.max(0, n) }, (_, i) => i + 1);
}
