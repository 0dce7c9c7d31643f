import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareParam, deriveDeployParams } from '../../../shared/config/deploy-params.ts';
import { parseConfig, parseText } from '../../../shared/config/parse-config.ts';

const ENV = { AWS_REGION: 'eu-west-1' };
const CA = readFileSync(new URL('../../fixtures/config/ca.pem', import.meta.url), 'utf8');

function derive(yaml: string) {
  const config = parseConfig(yaml, { format: 'yaml', baseDir: '/', env: ENV });
  const raw = parseText(yaml, 'yaml');
  return deriveDeployParams(config, raw.ok ? raw.value : null, 'eu-west-1');
}

const cluster = (id: string, extra = '') => `  - id: ${id}\n    nodes: [{ id: v0, url: "https://${id}.example:8200" }]\n${extra}`;

describe('deploy params from the config', () => {
  it('derives cluster ids and builds ARNs the config does not spell out for the stack account', () => {
    const { params, problems } = derive(
      [
        'clusters:',
        cluster(
          'a',
          '    seal: { awskms: { keyId: mrk-0123456789abcdef0123456789abcdef, region: us-east-1 } }\n    storage: { dynamodb: { table: vault, region: eu-central-1 } }',
        ),
        cluster('b', '    seal: { awskms: { keyId: "arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", region: eu-west-1 } }'),
        'channels:',
        '  - { id: s, slack: { webhookUrl: "${secretsmanager:team/slack#url}" } }',
        '  - { id: p, pagerduty: { routingKey: "${ssm:/team/pd:3}" } }',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(params).toEqual({
      clusterIds: ['a', 'b'],
      sealKeyArns: [
        'arn:${AWS::Partition}:kms:us-east-1:${AWS::AccountId}:key/mrk-0123456789abcdef0123456789abcdef',
        'arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      ],
      vaultTableArns: ['arn:${AWS::Partition}:dynamodb:eu-central-1:${AWS::AccountId}:table/vault'],
      alertTopicArns: [],
      secretArns: ['arn:${AWS::Partition}:secretsmanager:eu-west-1:${AWS::AccountId}:secret:team/slack-??????'],
      ssmParameterArns: ['arn:${AWS::Partition}:ssm:eu-west-1:${AWS::AccountId}:parameter/team/pd'],
      eksClusterArns: [],
      ec2DiscoveryRegions: [],
      autoScalingDiscoveryRegions: [],
    });
  });

  it('grants node discovery only where configured: EKS DescribeCluster unless server and CA are given, EC2/ASG by region', () => {
    const { params } = derive(
      [
        'clusters:',
        '  - id: eks',
        '    discovery: { kubernetes: { namespace: vault, service: vault-internal, eks: { cluster: prod-eks, region: eu-west-1 } } }',
        '  - id: given',
        `    discovery: { kubernetes: { namespace: vault, service: v, eks: { cluster: other, region: eu-west-1, server: "https://x.eks.example", caPem: ${JSON.stringify(CA)} } } }`,
        '  - id: k3s',
        '    discovery: { kubernetes: { namespace: vault, service: v, inCluster: true } }',
        '  - id: tags',
        '    discovery: { awsEc2: { region: eu-central-1, tags: { role: vault } } }',
        '  - id: asg',
        '    discovery: { awsEc2: { region: us-east-1, autoScalingGroups: [vault] } }',
      ].join('\n'),
    );
    expect(params.eksClusterArns).toEqual(['arn:${AWS::Partition}:eks:eu-west-1:${AWS::AccountId}:cluster/prod-eks']);
    expect(params.ec2DiscoveryRegions).toEqual(['eu-central-1', 'us-east-1']);
    expect(params.autoScalingDiscoveryRegions).toEqual(['us-east-1']);
  });

  it('refuses a seal key given by alias: IAM cannot name the key behind it', () => {
    const { problems } = derive(['clusters:', cluster('a', '    seal: { awskms: { keyId: alias/vault-unseal, region: eu-west-1 } }')].join('\n'));
    expect(problems).toEqual([expect.stringContaining('clusters[0].seal.awskms.keyId: "alias/vault-unseal" is an alias')]);
  });

  it('accepts a hand-given list naming the same set in any order, refuses a wider or narrower one', () => {
    expect(compareParam('clusterIds', 'b, a', ['a', 'b'])).toBeNull();
    expect(compareParam('clusterIds', 'a,b,c', ['a', 'b'])).toBe('param clusterIds contradicts the config: not in the config: c');
    expect(compareParam('clusterIds', 'a', ['a', 'b'])).toBe('param clusterIds contradicts the config: missing: b');
  });
});
