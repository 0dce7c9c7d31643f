/** One node a discovery source found. */
export interface DiscoveredNode {
  /** Stable id: pod name, instance Name tag (or instance id), or DNS target. */
  id: string;
  /** Origin, e.g. `https://10.42.1.5:8200` or `https://[fd00::5]:8200`. */
  url: string;
  insecureHttp?: boolean;
  /** A Kubernetes endpoint that is shutting down: reported, never unsealed. */
  terminating?: boolean;
  /** What the source says about the node (pod phase, node name, zone, instance id...). */
  details: Record<string, string | boolean | number | null>;
}

/** Why discovery failed, in terms a user can act on. */
export type DiscoveryFailure = 'unreachable' | 'unauthorized' | 'forbidden' | 'throttled' | 'invalid' | 'unsupported';

/** A discovery that could not list nodes. The message never carries a token or key. */
export class DiscoveryError extends Error {
  readonly failure: DiscoveryFailure;
  /** The permission that was missing (RBAC verb/resource or IAM action), when known. */
  readonly permission: string | undefined;
  constructor(failure: DiscoveryFailure, message: string, permission?: string) {
    super(message);
    this.name = 'DiscoveryError';
    this.failure = failure;
    this.permission = permission;
  }
}

/** A source of a cluster's nodes (Kubernetes EndpointSlices, EC2/ASG, DNS). */
export interface NodeDiscovery {
  /** `kubernetes`, `aws-ec2` or `dns`. */
  readonly source: string;
  /** Lists the nodes now. At most `limit` are returned; throws DiscoveryError. */
  discover(signal: AbortSignal): Promise<DiscoveredNode[]>;
  /**
   * Calls `onChange` soon after the node set changes, until `signal` aborts (long-lived
   * processes only; sources without push notifications leave this out).
   */
  watch?(onChange: () => void, signal: AbortSignal): void;
}
