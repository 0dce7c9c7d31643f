type Path = (string | number)[];
type Raw = Record<string, unknown>;
type Report = (path: Path, message: string) => void;

const record = (value: unknown): Raw | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Raw) : undefined);

/**
 * A cluster lists static `nodes`, a `discovery`, or both; a discovery has exactly one source and
 * a Kubernetes source exactly one way to reach its API server.
 */
export function checkDiscovery(cluster: Raw, here: Path, report: Report): void {
  const discovery = record(cluster['discovery']);
  if (cluster['nodes'] === undefined && discovery === undefined) {
    report([...here], 'list nodes, or set discovery (kubernetes, awsEc2 or dns), or both');
  }
  if (discovery === undefined) return;
  const at = [...here, 'discovery'];
  const sources = ['kubernetes', 'awsEc2', 'dns'].filter((k) => discovery[k] !== undefined);
  if (sources.length !== 1) {
    report(at, `set exactly one of kubernetes, awsEc2 or dns${sources.length > 1 ? `, not several (${sources.join(', ')})` : ''}`);
  }
  const k8s = record(discovery['kubernetes']);
  if (k8s !== undefined) checkKubernetes(k8s, [...at, 'kubernetes'], report);
  const ec2 = record(discovery['awsEc2']);
  if (ec2 !== undefined && ec2['tags'] === undefined && ec2['autoScalingGroups'] === undefined) {
    report([...at, 'awsEc2'], 'set tags, autoScalingGroups or both (sealwatch never lists every instance of an account)');
  }
  for (const source of ['awsEc2', 'dns']) {
    const entry = record(discovery[source]);
    if (entry?.['scheme'] === 'http' && entry['insecureHttp'] !== true) {
      report(
        [...at, source, 'scheme'],
        'http would send unseal shares across the network in clear text: use https, or set insecureHttp: true (development only)',
      );
    }
  }
  const dns = record(discovery['dns']);
  if (dns !== undefined) {
    const kinds = ['srv', 'name'].filter((k) => dns[k] !== undefined);
    if (kinds.length !== 1) report([...at, 'dns'], 'set exactly one of srv or name');
    if (dns['name'] !== undefined && dns['port'] === undefined) report([...at, 'dns', 'port'], 'is required with name (A/AAAA records carry no port)');
  }
}

function checkKubernetes(k8s: Raw, at: Path, report: Report): void {
  const access = [
    k8s['inCluster'] !== undefined ? 'inCluster' : undefined,
    k8s['kubeconfig'] !== undefined ? 'kubeconfig' : undefined,
    k8s['token'] !== undefined || k8s['server'] !== undefined ? 'server + token' : undefined,
    k8s['eks'] !== undefined ? 'eks' : undefined,
  ].filter((a) => a !== undefined);
  if (access.length !== 1) {
    report(
      at,
      `set exactly one way to reach the API server: inCluster, kubeconfig, server + token (+ caFile) or eks${access.length > 1 ? `, not several (${access.join(', ')})` : ''}`,
    );
  }
  if ((k8s['token'] === undefined) !== (k8s['server'] === undefined)) report(at, 'server and token go together');
  if (k8s['caFile'] !== undefined && k8s['caPem'] !== undefined) report([...at, 'caFile'], 'set caFile or caPem, not both');
  const eks = record(k8s['eks']);
  if (eks !== undefined && (eks['server'] === undefined) !== (eks['caFile'] === undefined && eks['caPem'] === undefined)) {
    report([...at, 'eks'], 'give server and caFile/caPem together, or neither (both then come from eks:DescribeCluster)');
  }
  if (k8s['scheme'] === 'http' && k8s['insecureHttp'] !== true) {
    report([...at, 'scheme'], 'http would send unseal shares across the network in clear text: use https, or set insecureHttp: true (development only)');
  }
}
