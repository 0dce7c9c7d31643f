import type { Severity } from '../finding.ts';

/** What an incident tells the on-call channels (a port's AlertChannel delivers it). */
export type NotificationKind = 'trigger' | 'update' | 'reminder' | 'resolve' | 'info' | 'test';

export interface Notification {
  /** Unique per notification (idempotency key for the channel where it has one). */
  id: string;
  kind: NotificationKind;
  /** Stable per condition: `sealwatch:<cluster>:<node|->:<finding id>`. */
  dedupKey: string;
  severity: Severity;
  /** One line, e.g. "prod-eu/vault-2 is sealed". */
  title: string;
  /** A few sentences: what, since when, what sealwatch did or will do. */
  message: string;
  cluster: string;
  node?: string;
  findingId: string;
  /** Non-secret facts (status codes, versions, share indexes, wrapper ids). */
  evidence: Record<string, string | number | boolean | null | readonly (string | number)[]>;
  /** ISO times. */
  openedAt: string;
  occurredAt: string;
  links?: { href: string; text: string }[];
}
