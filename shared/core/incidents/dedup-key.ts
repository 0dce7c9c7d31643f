/** Separates the parts of a dedup key; ids cannot contain it (config ids are `[a-z0-9-]`). */
const SEP = ':';

/**
 * The stable key of one condition, reused as PagerDuty `dedup_key`, Opsgenie `alias` and the
 * webhook event id: `sealwatch:<cluster>:<node or ->:<finding id>` (≤ 255 characters).
 */
export function dedupKeyOf(cluster: string, node: string | undefined, findingId: string): string {
  return ['sealwatch', cluster, node ?? '-', findingId].join(SEP).slice(0, 255);
}
