/** What the last successful discovery found, persisted so a failing API still leaves a list. */
export interface DiscoveryRecord {
  /** Epoch ms of the last successful discovery. */
  discoveredAt: number;
  nodes: KnownNode[];
}

export interface KnownNode {
  id: string;
  url: string;
  insecureHttp?: boolean;
  /** Consecutive successful discoveries that did not list this node (0 = listed last time). */
  missing: number;
}

export const discoveryKey = (clusterId: string) => ({ pk: `CLUSTER#${clusterId}`, sk: 'DISCOVERY' });

/**
 * Pure: the next record from the previous one and what was just found. A vanished node is kept
 * (not probed) for `goneAfter` discoveries, then dropped and reported once as gone.
 */
export function nextRecord(
  previous: DiscoveryRecord | null,
  found: readonly { id: string; url: string; insecureHttp?: boolean }[],
  goneAfter: number,
  now: number,
): { record: DiscoveryRecord; gone: KnownNode[]; changed: boolean } {
  const foundIds = new Set(found.map((n) => n.id));
  const nodes: KnownNode[] = found.map((n) => ({
    id: n.id,
    url: n.url,
    ...(n.insecureHttp === undefined ? {} : { insecureHttp: n.insecureHttp }),
    missing: 0,
  }));
  const gone: KnownNode[] = [];
  for (const old of previous?.nodes ?? []) {
    if (foundIds.has(old.id)) continue;
    const missing = old.missing + 1;
    if (missing >= goneAfter) gone.push({ ...old, missing });
    else nodes.push({ ...old, missing });
  }
  const record = { discoveredAt: now, nodes };
  return { record, gone, changed: !sameNodes(previous?.nodes ?? [], nodes) };
}

function sameNodes(a: readonly KnownNode[], b: readonly KnownNode[]): boolean {
  if (a.length !== b.length) return false;
  const key = (n: KnownNode) => `${n.id}\0${n.url}\0${n.missing}\0${n.insecureHttp ?? ''}`;
  const left = new Set(a.map(key));
  return b.every((n) => left.has(key(n)));
}
