import type { Finding, Severity } from '../finding.ts';
import type { Notification } from '../../ports/alert-channel.ts';

/** The incident rules, from `alerts` in the config plus the silences active now. */
export interface IncidentPolicy {
  /** Consecutive observations before an incident opens, by severity. */
  openAfter: { critical: number; warning: number };
  /** Consecutive healthy observations before an open incident resolves. */
  resolveAfter: number;
  /** Re-notify open critical incidents this often (ms). */
  remindEveryMs: number;
  silences: readonly Silence[];
}

/** Mutes notifications for matching conditions until `expiresAt`; incidents still open and resolve. */
export interface Silence {
  id: string;
  cluster: string;
  /** Only this node (absent: every node and cluster-wide conditions). */
  node?: string;
  /** Only this finding id (absent: every finding). */
  finding?: string;
  /** Who created it: the API key (`apikey:<id> (<name>)`) or the CLI's `--author` (default: the OS user). */
  createdBy: string;
  /** Why (required): the change ticket, the maintenance. */
  comment: string;
  /** ISO times. */
  createdAt: string;
  expiresAt: string;
}

/**
 * One sweep's view of the clusters it looked at. Conditions of a cluster not listed in
 * `clusters` are left untouched (a targeted sweep says nothing about other clusters).
 */
export interface Observations {
  clusters: readonly string[];
  /** Conditions present now. `info` findings never open incidents. */
  findings: readonly Finding[];
  /** One-off facts worth telling (e.g. a node unsealed by sealwatch): `kind: 'info'`, no incident. */
  events: readonly Finding[];
}

export type IncidentStatus = 'pending' | 'open';

/** A tracked condition: pending (seen, not yet opened) or open. Resolved ones are dropped. */
export interface IncidentEntry {
  dedupKey: string;
  cluster: string;
  node?: string;
  findingId: string;
  status: IncidentStatus;
  severity: Severity;
  /** The finding's message and evidence when first seen / when severity last changed. */
  message: string;
  evidence: Finding['evidence'];
  /** Consecutive sweeps the condition was seen (counted while pending only). */
  hits: number;
  /** Consecutive healthy sweeps while open. */
  healthy: number;
  /** ISO times. */
  firstSeenAt: string;
  openedAt?: string;
  /** Last trigger/update/reminder actually sent (not while silenced). */
  lastNotifiedAt?: string;
  /** The trigger went out; false while the incident opened under a silence. */
  notified: boolean;
  /** Set once someone acknowledged the incident: reminders stop until it resolves. */
  acknowledged?: { at: string; by: string; comment?: string };
}

/** Every tracked condition of one cluster, by dedup key. */
export interface ClusterIncidents {
  entries: Record<string, IncidentEntry>;
}

/** Previous and next state: cluster id → its incidents. */
export type IncidentsState = Record<string, ClusterIncidents>;

export interface Evaluation {
  nextState: IncidentsState;
  notifications: Notification[];
  /** Clusters whose incidents changed (only these need a write). */
  changed: string[];
}
