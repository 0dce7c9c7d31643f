import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEc2Discovery } from '../../../shared/adapters/aws-ec2-discovery.ts';
import type { Ec2DiscoveryConfig } from '../../../shared/config/types-discovery.ts';
import { recordedAwsAnswer, startEc2Wire, type Ec2Wire } from '../../support/ec2-wire-server.ts';

let wire: Ec2Wire;
const saved = { ...process.env };
beforeAll(async () => {
  wire = await startEc2Wire();
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret-for-tests', AWS_REGION: 'eu-west-1' });
});
afterAll(async () => {
  await wire.close();
  process.env = saved;
});
beforeEach(() => {
  wire.calls.length = 0;
  wire.deny.clear();
  wire.pageSize = 100;
  wire.instances = [
    { id: 'i-0aaa', privateIp: '10.0.1.10', state: 'running', tags: { Name: 'vault-a', role: 'vault' }, group: 'vault-asg', zone: 'eu-west-1a' },
    { id: 'i-0bbb', privateIp: '10.0.2.10', state: 'pending', tags: { role: 'vault' }, group: 'vault-asg', zone: 'eu-west-1b' },
    { id: 'i-0ccc', privateIp: '10.0.3.10', state: 'stopped', tags: { Name: 'vault-c', role: 'vault' }, group: 'vault-asg' },
    { id: 'i-0ddd', privateIp: '10.0.4.10', state: 'running', tags: { Name: 'web', role: 'web' } },
  ];
});

const config = (overrides: Partial<Ec2DiscoveryConfig>): Ec2DiscoveryConfig => ({
  region: 'eu-west-1',
  tags: {},
  autoScalingGroups: [],
  port: 8200,
  scheme: 'https',
  insecureHttp: false,
  idTag: 'Name',
  endpoint: wire.url,
  ...overrides,
});
const signal = () => AbortSignal.timeout(5000);

describe('EC2 / Auto Scaling discovery through the real SDK clients', () => {
  it('finds running and pending instances by tag, id from Name or the instance id', async () => {
    const discovery = createEc2Discovery(config({ tags: { role: 'vault' } }));
    const nodes = await discovery.discover(signal());
    discovery.close();
    expect(nodes.map((n) => [n.id, n.url, n.details['state']])).toEqual([
      ['vault-a', 'https://10.0.1.10:8200', 'running'],
      ['i-0bbb', 'https://10.0.2.10:8200', 'pending'],
    ]);
    expect(wire.calls[0]).toMatchObject({
      Action: 'DescribeInstances',
      'Filter.1.Name': 'instance-state-name',
      'Filter.1.Value.1': 'running',
      'Filter.1.Value.2': 'pending',
      'Filter.2.Name': 'tag:role',
      'Filter.2.Value.1': 'vault',
    });
  });

  it('lists Auto Scaling group members, then describes exactly those, paging with NextToken', async () => {
    wire.pageSize = 1;
    const discovery = createEc2Discovery(config({ autoScalingGroups: ['vault-asg'] }));
    const nodes = await discovery.discover(signal());
    discovery.close();
    expect(nodes.map((n) => n.id)).toEqual(['vault-a', 'i-0bbb']);
    expect(wire.calls.map((c) => c['Action'])).toEqual(['DescribeAutoScalingGroups', 'DescribeInstances', 'DescribeInstances']);
    expect(wire.calls[1]).toMatchObject({ 'InstanceId.1': 'i-0aaa', 'InstanceId.2': 'i-0bbb', 'InstanceId.3': 'i-0ccc' });
    expect(wire.calls[2]?.['NextToken']).toBe('1');
  });

  it('reads the recorded DescribeInstances answer verbatim', async () => {
    wire.nextRaw = recordedAwsAnswer('ec2-describe-instances.xml');
    const discovery = createEc2Discovery(config({ tags: { role: 'vault' } }));
    const nodes = await discovery.discover(signal());
    discovery.close();
    expect(nodes).toEqual([
      {
        id: 'vault-a',
        url: 'https://10.0.1.23:8200',
        details: { instanceId: 'i-0598c7d356eba48d7', state: 'running', zone: 'eu-west-1a', privateDnsName: 'ip-10-0-1-23.eu-west-1.compute.internal' },
      },
    ]);
  });

  it('names the missing IAM action when EC2 or Auto Scaling refuses', async () => {
    wire.deny.add('DescribeInstances');
    const ec2 = createEc2Discovery(config({ tags: { role: 'vault' } }));
    await expect(ec2.discover(signal())).rejects.toMatchObject({ failure: 'forbidden', permission: 'ec2:DescribeInstances' });
    ec2.close();
    wire.deny.add('DescribeAutoScalingGroups');
    const asg = createEc2Discovery(config({ autoScalingGroups: ['vault-asg'] }));
    await expect(asg.discover(signal())).rejects.toMatchObject({ failure: 'forbidden', permission: 'autoscaling:DescribeAutoScalingGroups' });
    asg.close();
  });
});
