import type { Secret } from './secret.ts';

/**
 * Where a cluster's nodes are found at the start of each sweep (`clusters[].discovery`), in
 * addition to or instead of the static `nodes`. Exactly one source.
 */
export type DiscoveryConfig = (
  | { kind: 'kubernetes'; kubernetes: KubernetesDiscoveryConfig }
  | { kind: 'aws-ec2'; awsEc2: Ec2DiscoveryConfig }
  | { kind: 'dns'; dns: DnsDiscoveryConfig }
) & {
  /** Sweeps a vanished node keeps its last state before `node.gone` (default 3). */
  goneAfterSweeps: number;
  /** Deadline for one discovery (default 5000 ms). */
  timeoutMs: number;
};

export type NodeScheme = 'https' | 'http';

export interface KubernetesDiscoveryConfig {
  namespace: string;
  /** The service whose EndpointSlices list the pods (the chart's headless `<fullname>-internal`). */
  service: string;
  /** Port name or number; default the slice port named `https`, else `http`. */
  port?: string | number;
  scheme: NodeScheme;
  /** Plain-HTTP pods allowed (dev only), as `insecureHttp` on a static node. */
  insecureHttp: boolean;
  api: KubernetesApiAccess;
}

export type KubernetesApiAccess =
  | { kind: 'in-cluster' }
  | { kind: 'kubeconfig'; path: string; context?: string }
  | { kind: 'token'; server: string; token: Secret; caPem?: string }
  | { kind: 'eks'; cluster: string; region: string; server?: string; caPem?: string; awsEndpoint?: string };

export interface Ec2DiscoveryConfig {
  region: string;
  /** Tag filters: every tag must match (`tag:KEY=VALUE`). */
  tags: Record<string, string>;
  /** Auto Scaling group names whose instances are listed. */
  autoScalingGroups: string[];
  port: number;
  scheme: NodeScheme;
  insecureHttp: boolean;
  /** Tag whose value is the node id (default `Name`); the instance id when the tag is missing. */
  idTag: string;
  /** Only for local/test endpoints. */
  endpoint?: string;
}

export interface DnsDiscoveryConfig {
  /** An SRV name (`_vault._tcp.example.internal`): targets and ports from the records. */
  srv?: string;
  /** Or a name whose A/AAAA records are the nodes, with `port`. */
  name?: string;
  port?: number;
  scheme: NodeScheme;
  insecureHttp: boolean;
  /** Resolvers `host:port` to ask instead of the system's. */
  servers?: string[];
}
