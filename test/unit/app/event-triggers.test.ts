import { describe, expect, it } from 'vitest';
import { eventTargets } from '../../../shared/app/event-triggers.ts';
import type { SweepCluster } from '../../../shared/app/sweep-types.ts';

const node = (id: string, host: string) => ({ id, url: `https://${host}:8200` });
const clusters: SweepCluster[] = [
  { id: 'prod', name: 'Prod', nodes: [node('vault-0', '10.0.0.10'), node('vault-1', '10.0.0.11')] },
  { id: 'prod-eu', name: 'Prod EU', nodes: [node('vault-0', '10.1.0.10'), node('vault-2', '10.1.0.12')] },
];
const opts = { clusters };

const alarm = (alarmName: string, state = 'ALARM', metrics: unknown[] = []) => ({
  source: 'aws.cloudwatch',
  'detail-type': 'CloudWatch Alarm State Change',
  resources: [`arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${alarmName}`],
  detail: { alarmName, state: { value: state, reason: 'Threshold Crossed' }, previousState: { value: 'OK' }, configuration: { metrics } },
});

describe('eventTargets: EventBridge events to targeted recoveries', () => {
  it('maps a CloudWatch alarm named sealwatch/<cluster>/<node> to that node', () => {
    expect(eventTargets(alarm('sealwatch/prod-eu/vault-2'), opts)).toEqual({
      kind: 'targets',
      reason: 'alarm sealwatch/prod-eu/vault-2',
      action: 'recover',
      targets: [{ clusterId: 'prod-eu', nodeIds: ['vault-2'] }],
    });
    expect(eventTargets(alarm('sealwatch/prod'), opts)).toMatchObject({ targets: [{ clusterId: 'prod', nodeIds: [] }] });
  });

  it('maps other alarm names by the longest cluster id appearing as a word', () => {
    expect(eventTargets(alarm('vault-prod-eu-sealed'), opts)).toMatchObject({ targets: [{ clusterId: 'prod-eu' }] });
    expect(eventTargets(alarm('prod: vault sealed'), opts)).toMatchObject({ targets: [{ clusterId: 'prod' }] });
    expect(eventTargets(alarm('production-sealed'), opts)).toMatchObject({ kind: 'ignored' });
  });

  it('reads cluster and node from the alarm metric dimensions', () => {
    const metrics = [{ id: 'm1', metricStat: { metric: { namespace: 'Vault', name: 'sealed', dimensions: { VaultCluster: 'prod', VaultNode: 'vault-1' } } } }];
    expect(eventTargets(alarm('SealedNodes', 'ALARM', metrics), opts)).toMatchObject({ targets: [{ clusterId: 'prod', nodeIds: ['vault-1'] }] });
  });

  it('ignores alarms leaving ALARM and alarms naming no configured cluster', () => {
    expect(eventTargets(alarm('sealwatch/prod', 'OK'), opts)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('not ALARM') });
    expect(eventTargets(alarm('sealwatch/staging'), opts)).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('no configured cluster') });
  });

  it('maps Auto Scaling launch lifecycle actions through NotificationMetadata or the group name', () => {
    const lifecycle = (detail: Record<string, unknown>) => ({ source: 'aws.autoscaling', 'detail-type': 'EC2 Instance-launch Lifecycle Action', detail });
    const base = {
      LifecycleActionToken: 't',
      AutoScalingGroupName: 'asg-x',
      LifecycleHookName: 'h',
      EC2InstanceId: 'i-0abc',
      LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
    };
    expect(eventTargets(lifecycle({ ...base, NotificationMetadata: '{"cluster":"prod-eu","node":"vault-2"}' }), opts)).toMatchObject({
      targets: [{ clusterId: 'prod-eu', nodeIds: ['vault-2'] }],
    });
    expect(eventTargets(lifecycle({ ...base, AutoScalingGroupName: 'vault-prod-asg' }), opts)).toMatchObject({ targets: [{ clusterId: 'prod', nodeIds: [] }] });
    expect(eventTargets(lifecycle({ ...base, NotificationMetadata: 'not json' }), opts)).toMatchObject({ kind: 'ignored' });
  });

  it('maps EC2 launches by tags passed in, and Tag Change events by their own tags', () => {
    const running = { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: { 'instance-id': 'i-1', state: 'running' } };
    expect(eventTargets(running, opts, { 'sealwatch:cluster': 'prod', 'sealwatch:node': 'vault-0' })).toMatchObject({
      targets: [{ clusterId: 'prod', nodeIds: ['vault-0'] }],
    });
    expect(eventTargets(running, opts)).toMatchObject({ kind: 'ignored' });
    expect(eventTargets({ ...running, detail: { 'instance-id': 'i-1', state: 'stopping' } }, opts, { 'sealwatch:cluster': 'prod' })).toMatchObject({
      kind: 'ignored',
    });
    const tagChange = { source: 'aws.tag', 'detail-type': 'Tag Change on Resource', detail: { tags: { vault_cluster: 'prod-eu', other: 'x' } } };
    expect(eventTargets(tagChange, opts)).toMatchObject({ targets: [{ clusterId: 'prod-eu', nodeIds: [] }] });
  });

  it('honours configured tag keys', () => {
    const running = { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: { 'instance-id': 'i-1', state: 'running' } };
    expect(eventTargets(running, { clusters, clusterTag: 'team:vault' }, { 'team:vault': 'prod' })).toMatchObject({ targets: [{ clusterId: 'prod' }] });
  });

  it('maps the custom sealwatch.recover event with its action, and refuses unknown actions and nodes', () => {
    const custom = (detail: unknown) => ({ source: 'my.app', 'detail-type': 'sealwatch.recover', detail });
    expect(eventTargets(custom({ cluster: 'prod', node: 'vault-1', action: 'unseal' }), opts)).toEqual({
      kind: 'targets',
      reason: 'sealwatch.recover',
      action: 'unseal',
      targets: [{ clusterId: 'prod', nodeIds: ['vault-1'] }],
    });
    expect(eventTargets(custom({ cluster: 'prod' }), opts)).toMatchObject({ action: 'recover' });
    expect(eventTargets(custom({ cluster: 'prod', action: 'delete' }), opts)).toMatchObject({ kind: 'ignored' });
    expect(eventTargets(custom({ cluster: 'prod', node: 'vault-9' }), opts)).toMatchObject({ kind: 'ignored' });
    expect(eventTargets(custom('garbage'), opts)).toMatchObject({ kind: 'ignored' });
  });

  it('ignores anything else without throwing, whatever its shape', () => {
    for (const event of [
      {},
      { 'detail-type': 42 },
      { source: 'aws.s3', 'detail-type': 'Object Created', detail: null },
      { 'detail-type': 'CloudWatch Alarm State Change', detail: [] },
    ]) {
      expect(eventTargets(event, opts).kind).toBe('ignored');
    }
  });
});
