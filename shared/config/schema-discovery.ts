import { z } from 'zod';
import type { Fields } from './fields.ts';
import { AWS_REGION, AWS_REGION_MESSAGE } from './patterns.ts';

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const NAME_MESSAGE = 'must be a Kubernetes name (lowercase letters, digits, dashes and dots)';

/**
 * `clusters[].discovery`. Exactly-one-of rules (source, API access) and "nodes or discovery"
 * are checked in `checkDiscovery` so they are reported with the schema's own problems.
 */
export function discoverySchema(f: Fields) {
  const scheme = z.enum(['https', 'http'], { error: 'must be https or http' });
  const k8sName = () => f.matching(NAME, NAME_MESSAGE);
  const region = () => f.matching(AWS_REGION, AWS_REGION_MESSAGE);

  const kubernetes = z.strictObject({
    namespace: k8sName(),
    service: k8sName(),
    port: z.union([f.intRange(1, 65535), f.nonEmpty()]).optional(),
    scheme: scheme.optional(),
    insecureHttp: z.boolean().optional(),
    inCluster: z.literal(true, { error: 'must be true (or leave it out)' }).optional(),
    kubeconfig: z.strictObject({ path: f.nonEmpty(), context: f.nonEmpty().optional() }).optional(),
    server: f.endpoint().optional(),
    token: f.secret({ remote: false }).optional(),
    caFile: f.caFile().optional(),
    caPem: f.caPem().optional(),
    eks: z
      .strictObject({
        cluster: f.nonEmpty(),
        region: region(),
        /** Given: no eks:DescribeCluster call (with caFile/caPem). */
        server: f.endpoint().optional(),
        caFile: f.caFile().optional(),
        caPem: f.caPem().optional(),
        awsEndpoint: f.endpoint().optional(),
      })
      .optional(),
  });

  const awsEc2 = z.strictObject({
    region: region(),
    tags: z.record(z.string(), f.nonEmpty()).optional(),
    autoScalingGroups: z.array(f.nonEmpty()).optional(),
    port: f.intRange(1, 65535).optional(),
    scheme: scheme.optional(),
    insecureHttp: z.boolean().optional(),
    idTag: f.nonEmpty().optional(),
    endpoint: f.endpoint().optional(),
  });

  const dns = z.strictObject({
    srv: f.nonEmpty().optional(),
    name: f.nonEmpty().optional(),
    port: f.intRange(1, 65535).optional(),
    scheme: scheme.optional(),
    insecureHttp: z.boolean().optional(),
    servers: z.array(f.nonEmpty()).optional(),
  });

  return z.strictObject({
    kubernetes: kubernetes.optional(),
    awsEc2: awsEc2.optional(),
    dns: dns.optional(),
    goneAfterSweeps: f.intRange(1, 1000).optional(),
    timeoutMs: f.intRange(100, 60_000).optional(),
  });
}
