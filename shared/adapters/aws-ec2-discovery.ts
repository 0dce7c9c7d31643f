import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import type { Ec2DiscoveryConfig } from '../config/types-discovery.ts';
import { DiscoveryError, type DiscoveredNode, type NodeDiscovery } from '../ports/node-discovery.ts';

const MAX_PAGES = 20;

/**
 * Running and pending instances by tag filters and/or Auto Scaling group membership
 * (`ec2:DescribeInstances`, `autoscaling:DescribeAutoScalingGroups`); URL from `PrivateIpAddress`.
 * Loaded lazily by the runtime so clusters without it never load the EC2 SDK.
 */
export function createEc2Discovery(config: Ec2DiscoveryConfig): NodeDiscovery & { close(): void } {
  const options = { region: config.region, ...(config.endpoint ? { endpoint: config.endpoint } : {}) };
  const ec2 = new EC2Client(options);
  const autoscaling = config.autoScalingGroups.length > 0 ? new AutoScalingClient(options) : undefined;
  return {
    source: 'aws-ec2',
    async discover(signal) {
      const ids = autoscaling ? await groupInstanceIds(autoscaling, config.autoScalingGroups, signal) : undefined;
      if (ids !== undefined && ids.length === 0) return [];
      const filters = [
        { Name: 'instance-state-name', Values: ['running', 'pending'] },
        ...Object.entries(config.tags).map(([key, value]) => ({ Name: `tag:${key}`, Values: [value] })),
      ];
      const instances: Instance[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await call('ec2:DescribeInstances', () =>
          ec2.send(new DescribeInstancesCommand({ Filters: filters, ...(ids ? { InstanceIds: ids } : {}), ...(token ? { NextToken: token } : {}) }), {
            abortSignal: signal,
          }),
        );
        for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
        token = page.NextToken || undefined;
        pages += 1;
      } while (token !== undefined && pages < MAX_PAGES);
      return instances.flatMap((i) => toNode(i, config));
    },
    close() {
      ec2.destroy();
      autoscaling?.destroy();
    },
  };
}

async function groupInstanceIds(client: AutoScalingClient, names: string[], signal: AbortSignal): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await call('autoscaling:DescribeAutoScalingGroups', () =>
      client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: names, ...(token ? { NextToken: token } : {}) }), { abortSignal: signal }),
    );
    for (const group of page.AutoScalingGroups ?? []) ids.push(...(group.Instances ?? []).flatMap((i) => (i.InstanceId ? [i.InstanceId] : [])));
    token = page.NextToken || undefined;
    pages += 1;
  } while (token !== undefined && pages < MAX_PAGES);
  return ids;
}

function toNode(instance: Instance, config: Ec2DiscoveryConfig): DiscoveredNode[] {
  const ip = instance.PrivateIpAddress;
  const instanceId = instance.InstanceId;
  if (!ip || !instanceId) return [];
  const tag = instance.Tags?.find((t) => t.Key === config.idTag)?.Value;
  return [
    {
      id: tag && /^[a-z0-9][a-z0-9-]{0,62}$/.test(tag) ? tag : instanceId,
      url: `${config.scheme}://${ip}:${config.port}`,
      ...(config.scheme === 'http' ? { insecureHttp: config.insecureHttp } : {}),
      details: {
        instanceId,
        state: instance.State?.Name ?? null,
        zone: instance.Placement?.AvailabilityZone ?? null,
        privateDnsName: instance.PrivateDnsName ?? null,
      },
    },
  ];
}

/** AWS errors → DiscoveryError naming the IAM action; throttling is its own kind. */
async function call<T>(action: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    const name = (error as { name?: string }).name ?? 'Error';
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (name === 'UnauthorizedOperation' || name === 'AccessDenied' || name === 'AccessDeniedException' || status === 403) {
      throw new DiscoveryError('forbidden', `${action} denied (${name})`, action);
    }
    if (/Throttl|RequestLimitExceeded/.test(name)) throw new DiscoveryError('throttled', `${action} throttled (${name})`);
    throw new DiscoveryError('unreachable', `${action} failed: ${name}`);
  }
}
