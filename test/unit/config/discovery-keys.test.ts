import { describe, expect, it } from 'vitest';
import { CA_PEM, parse, problemsOf } from './helpers.ts';

const k8s = (extra: object = {}) => ({ namespace: 'vault', service: 'vault-internal', inCluster: true, ...extra });
const cluster = (extra: object) => ({ clusters: [{ id: 'prod', ...extra }] });
const messages = (input: object, options = {}) => problemsOf(input, options).map((p) => `${p.path}: ${p.message}`);

describe('clusters[].discovery', () => {
  it('replaces nodes: defaults to https, the https/http named port, 3 sweeps before node.gone, 5 s', () => {
    const config = parse(cluster({ discovery: { kubernetes: k8s() }, tls: { caPem: CA_PEM, serverName: '{node}.vault-internal' } }));
    const c = config.clusters[0];
    expect(c?.nodes).toEqual([]);
    expect(c?.tls?.serverName).toBe('{node}.vault-internal');
    expect(c?.discovery).toEqual({
      kind: 'kubernetes',
      kubernetes: { namespace: 'vault', service: 'vault-internal', scheme: 'https', insecureHttp: false, api: { kind: 'in-cluster' } },
      goneAfterSweeps: 3,
      timeoutMs: 5000,
    });
  });

  it('reads each API access: kubeconfig (relative path), server + token + CA, eks', () => {
    const kubeconfig = parse(cluster({ discovery: { kubernetes: { namespace: 'vault', service: 'v', kubeconfig: { path: 'kube/config', context: 'k3s' } } } }));
    expect(kubeconfig.clusters[0]?.discovery).toMatchObject({
      kubernetes: { api: { kind: 'kubeconfig', path: '/etc/sealwatch/kube/config', context: 'k3s' } },
    });
    const token = parse(
      cluster({
        discovery: {
          kubernetes: { namespace: 'vault', service: 'v', server: 'https://10.0.0.1:6443', token: '${env:K8S_TOKEN}', caFile: 'k8s-ca.pem', port: 8200 },
        },
      }),
      { env: { K8S_TOKEN: 'tok' }, files: { 'k8s-ca.pem': CA_PEM } },
    );
    const api = token.clusters[0]?.discovery;
    expect(api).toMatchObject({ kubernetes: { port: 8200, api: { kind: 'token', server: 'https://10.0.0.1:6443', caPem: CA_PEM } } });
    expect(JSON.stringify(api)).not.toContain('tok"');
    const eks = parse(cluster({ discovery: { kubernetes: { namespace: 'vault', service: 'v', eks: { cluster: 'prod-eks', region: 'eu-west-1' } } } }));
    expect(eks.clusters[0]?.discovery).toMatchObject({ kubernetes: { api: { kind: 'eks', cluster: 'prod-eks', region: 'eu-west-1' } } });
  });

  it('reads awsEc2 and dns with their defaults', () => {
    const ec2 = parse(cluster({ discovery: { awsEc2: { region: 'eu-west-1', autoScalingGroups: ['vault'] }, goneAfterSweeps: 5 } }));
    expect(ec2.clusters[0]?.discovery).toEqual({
      kind: 'aws-ec2',
      awsEc2: { region: 'eu-west-1', tags: {}, autoScalingGroups: ['vault'], port: 8200, scheme: 'https', insecureHttp: false, idTag: 'Name' },
      goneAfterSweeps: 5,
      timeoutMs: 5000,
    });
    const dns = parse(cluster({ discovery: { dns: { srv: '_vault._tcp.example.internal' } } }));
    expect(dns.clusters[0]?.discovery).toMatchObject({ kind: 'dns', dns: { srv: '_vault._tcp.example.internal', scheme: 'https' } });
  });

  it('lists every relation problem at once', () => {
    expect(messages(cluster({}))).toContain('clusters[0]: list nodes, or set discovery (kubernetes, awsEc2 or dns), or both');
    expect(messages(cluster({ discovery: { kubernetes: k8s(), dns: { srv: 'x' } } }))).toContain(
      'clusters[0].discovery: set exactly one of kubernetes, awsEc2 or dns, not several (kubernetes, dns)',
    );
    expect(messages(cluster({ discovery: { kubernetes: k8s({ eks: { cluster: 'c', region: 'eu-west-1' } }) } }))).toContain(
      'clusters[0].discovery.kubernetes: set exactly one way to reach the API server: inCluster, kubeconfig, server + token (+ caFile) or eks, not several (inCluster, eks)',
    );
    expect(messages(cluster({ discovery: { kubernetes: { namespace: 'vault', service: 'v', token: '${env:T}' } } }), { env: { T: 'x' } })).toContain(
      'clusters[0].discovery.kubernetes: server and token go together',
    );
    expect(messages(cluster({ discovery: { awsEc2: { region: 'eu-west-1' } } }))).toContain(
      'clusters[0].discovery.awsEc2: set tags, autoScalingGroups or both (sealwatch never lists every instance of an account)',
    );
    expect(messages(cluster({ discovery: { dns: { name: 'vault.internal' } } }))).toContain(
      'clusters[0].discovery.dns.port: is required with name (A/AAAA records carry no port)',
    );
    expect(messages(cluster({ discovery: { kubernetes: k8s({ scheme: 'http' }) } }))[0]).toMatch(
      /^clusters\[0\]\.discovery\.kubernetes\.scheme: http would send unseal shares/,
    );
  });

  it('wants a token as a reference, never inline', () => {
    expect(messages(cluster({ discovery: { kubernetes: { namespace: 'vault', service: 'v', server: 'https://k:6443', token: 'inline-token' } } }))).toContain(
      'clusters[0].discovery.kubernetes.token: write secrets as ${env:NAME} or ${file:PATH}, not inline',
    );
  });
});
