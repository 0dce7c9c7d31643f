/**
 * Something wrong (or worth knowing) about a cluster, a node or a key. Findings feed the sweep
 * report now and incidents later; `id` is stable per condition so alerts can dedup on
 * (cluster, node, id).
 */
export type Severity = 'info' | 'warning' | 'critical';

export interface Finding {
  /** Stable condition id, e.g. `unseal.wrong-key`, `custody.wrapper-unavailable`. */
  id: string;
  severity: Severity;
  cluster: string;
  node?: string;
  message: string;
  /** Non-secret facts supporting the finding (status codes, wrapper ids, share indexes). */
  evidence: Record<string, string | number | boolean | null | readonly (string | number)[]>;
}
