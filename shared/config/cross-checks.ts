import type { ConfigProblem } from '../errors.ts';
import { safeUrl } from './fields.ts';
import { KMS_ARN_REGION as ARN_REGION, SNS_TOPIC_ARN } from './patterns.ts';
import { checkDiscovery } from './cross-checks-discovery.ts';
import { formatPath } from './problems.ts';
import { resolveValue, type ReferenceContext } from './references.ts';

type Path = (string | number)[];
type Raw = Record<string, unknown>;

const WRAPPER_KINDS = ['local', 'awsKms', 'azureKeyVault'] as const;
const CHANNEL_KINDS = ['slack', 'pagerduty', 'opsgenie', 'jsm', 'teams', 'webhook', 'sns'] as const;

/**
 * Rules that relate several fields: uniqueness, exactly-one-of, references between sections.
 * Runs on the raw parsed document, tolerating any shape, so these problems are reported next to
 * schema problems instead of after the user fixes those. Malformed parts are skipped here: the
 * schema already reports them.
 */
export function checkRelations(raw: unknown, context: ReferenceContext): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const report = (path: Path, message: string): void => {
    problems.push({ path: formatPath(path), message });
  };
  const peek = (value: unknown): string | undefined => {
    if (typeof value !== 'string') return undefined;
    const resolved = resolveValue(value, context);
    return resolved.ok ? resolved.value : undefined;
  };
  const root = record(raw);
  if (root === undefined) return problems;

  checkState(root['state'], report);
  const wrapperIds = checkWrappers(root['wrappers'], report, peek);
  const clusterIds = checkClusters(root['clusters'], wrapperIds, report, peek);
  const channelIds = checkChannels(root['channels'], report, peek);
  checkAlerts(root['alerts'], channelIds, clusterIds, report, peek);
  checkApi(root['api'], report, peek);
  return problems;
}

type Report = (path: Path, message: string) => void;
type Peek = (value: unknown) => string | undefined;

function checkState(value: unknown, report: Report): void {
  const state = record(value);
  if (state === undefined) return;
  const present = ['embedded', 'dynamodb'].filter((key) => state[key] !== undefined);
  if (present.length === 2) report(['state'], 'set exactly one of embedded or dynamodb, not both');
  if (present.length === 0) report(['state'], 'set one of embedded or dynamodb (or leave state out for the embedded default)');
}

function checkWrappers(value: unknown, report: Report, peek: Peek): Set<string> {
  const ids = new Set<string>();
  const firstSeen = new Map<string, Path>();
  list(value).forEach((item, i) => {
    const wrapper = record(item);
    if (wrapper === undefined) return;
    const here: Path = ['wrappers', i];
    const id = peek(wrapper['id']);
    if (id !== undefined) {
      ids.add(id);
      unique(firstSeen, id, [...here, 'id'], `duplicate wrapper id '${id}'`, report);
    }
    const kinds = WRAPPER_KINDS.filter((kind) => wrapper[kind] !== undefined);
    if (kinds.length !== 1) {
      report(here, `set exactly one of local, awsKms or azureKeyVault${kinds.length > 1 ? ', not several' : ''}`);
    }
    const local = record(wrapper['local']);
    if (local !== undefined) {
      const sources = ['key', 'keyFile'].filter((key) => local[key] !== undefined);
      if (sources.length !== 1) report([...here, 'local'], `set exactly one of key or keyFile${sources.length > 1 ? ', not both' : ''}`);
    }
    const aws = record(wrapper['awsKms']);
    if (aws !== undefined) checkArnRegion(ARN_REGION, aws['keyId'], aws['region'], [...here, 'awsKms', 'region'], 'key', report, peek);
    const credential = record(record(wrapper['azureKeyVault'])?.['credential']);
    if (credential !== undefined) checkCredential(credential, [...here, 'azureKeyVault', 'credential'], report);
  });
  return ids;
}

function checkCredential(credential: Raw, here: Path, report: Report): void {
  if (credential['kind'] === 'client-secret') {
    for (const key of ['tenantId', 'clientId', 'clientSecret']) {
      if (credential[key] === undefined) report([...here, key], 'is required for kind client-secret');
    }
  } else if (credential['clientSecret'] !== undefined) {
    report([...here, 'clientSecret'], 'is only used with kind client-secret');
  }
}

/** A region written next to an ARN must be the ARN's own region. */
function checkArnRegion(arn: RegExp, arnValue: unknown, regionValue: unknown, path: Path, what: string, report: Report, peek: Peek): void {
  const arnRegion = arn.exec(peek(arnValue) ?? '')?.[1];
  const region = peek(regionValue);
  if (arnRegion !== undefined && region !== undefined && arnRegion !== region) {
    report(path, `does not match the region of the ${what} ARN (${arnRegion})`);
  }
}

/** Exactly one of `kinds` is present in `value`. */
function exactlyOne(value: Raw, kinds: readonly string[], path: Path, report: Report): void {
  const present = kinds.filter((kind) => value[kind] !== undefined);
  if (present.length === 1) return;
  const choices = `${kinds.slice(0, -1).join(', ')} or ${kinds[kinds.length - 1] ?? ''}`;
  report(path, `set exactly one of ${choices}${present.length > 1 ? `, not several (${present.join(', ')})` : ''}`);
}

function checkClusters(value: unknown, wrapperIds: Set<string>, report: Report, peek: Peek): Set<string> {
  const clusterIds = new Map<string, Path>();
  const urls = new Map<string, Path>();
  list(value).forEach((item, c) => {
    const cluster = record(item);
    if (cluster === undefined) return;
    const here: Path = ['clusters', c];
    const id = peek(cluster['id']);
    if (id !== undefined) unique(clusterIds, id, [...here, 'id'], `duplicate cluster id '${id}'`, report);

    checkDiscovery(cluster, here, report);
    const nodeIds = new Map<string, Path>();
    list(cluster['nodes']).forEach((nodeItem, n) => {
      const node = record(nodeItem);
      if (node === undefined) return;
      const at: Path = [...here, 'nodes', n];
      const nodeId = peek(node['id']);
      if (nodeId !== undefined) unique(nodeIds, nodeId, [...at, 'id'], `duplicate node id '${nodeId}' in this cluster`, report);
      const url = safeUrl(peek(node['url']) ?? '');
      if (url === undefined) return;
      unique(urls, url.origin, [...at, 'url'], 'duplicate node URL', report);
      const flag = node['insecureHttp'];
      if (flag !== undefined && typeof flag !== 'boolean') return; // the schema reports it
      const insecure = flag === true;
      if (url.protocol === 'http:' && !insecure) {
        report([...at, 'url'], 'http:// would send unseal shares across the network in clear text: use https://, or set insecureHttp: true (development only)');
      }
      if (url.protocol === 'https:' && insecure) {
        report([...at, 'insecureHttp'], 'insecureHttp: true contradicts an https:// URL');
      }
    });

    const tls = record(cluster['tls']);
    if (tls !== undefined && tls['caFile'] !== undefined && tls['caPem'] !== undefined) {
      report([...here, 'tls'], 'set caFile or caPem, not both');
    }
    const custody = record(cluster['custody']);
    if (custody !== undefined) checkCustody(custody, [...here, 'custody'], wrapperIds, report, peek);
    checkHealth(cluster, here, report, peek);
  });
  return new Set(clusterIds.keys());
}

function checkHealth(cluster: Raw, here: Path, report: Report, peek: Peek): void {
  const auth = record(cluster['auth']);
  if (auth !== undefined) exactlyOne(auth, ['token', 'awsIam'], [...here, 'auth'], report);
  const seal = record(cluster['seal']);
  if (seal === undefined) return;
  exactlyOne(seal, ['awskms', 'azurekeyvault'], [...here, 'seal'], report);
  const aws = record(seal['awskms']);
  if (aws !== undefined) checkArnRegion(ARN_REGION, aws['keyId'], aws['region'], [...here, 'seal', 'awskms', 'region'], 'key', report, peek);
  const credential = record(record(seal['azurekeyvault'])?.['credential']);
  if (credential !== undefined) checkCredential(credential, [...here, 'seal', 'azurekeyvault', 'credential'], report);
}

function checkChannels(value: unknown, report: Report, peek: Peek): Set<string> {
  const ids = new Map<string, Path>();
  list(value).forEach((item, i) => {
    const channel = record(item);
    if (channel === undefined) return;
    const here: Path = ['channels', i];
    const id = peek(channel['id']);
    if (id !== undefined) unique(ids, id, [...here, 'id'], `duplicate channel id '${id}'`, report);
    exactlyOne(channel, CHANNEL_KINDS, here, report);
    const sns = record(channel['sns']);
    if (sns !== undefined) checkArnRegion(SNS_TOPIC_ARN, sns['topicArn'], sns['region'], [...here, 'sns', 'region'], 'topic', report, peek);
  });
  return new Set(ids.keys());
}

function checkAlerts(value: unknown, channelIds: Set<string>, clusterIds: Set<string>, report: Report, peek: Peek): void {
  list(record(value)?.['routes']).forEach((item, r) => {
    const route = record(item);
    if (route === undefined) return;
    const here: Path = ['alerts', 'routes', r];
    list(route['channels']).forEach((channel, c) => {
      const id = peek(channel);
      if (id !== undefined && !channelIds.has(id)) report([...here, 'channels', c], `channel '${id}' is not defined in channels`);
    });
    list(route['clusters']).forEach((cluster, c) => {
      const id = peek(cluster);
      if (id !== undefined && !clusterIds.has(id)) report([...here, 'clusters', c], `cluster '${id}' is not defined in clusters`);
    });
  });
}

function checkApi(value: unknown, report: Report, peek: Peek): void {
  const alertmanager = record(record(value)?.['alertmanager']);
  if (alertmanager === undefined) return;
  const cluster = peek(alertmanager['clusterLabel']) ?? 'vault_cluster';
  const node = peek(alertmanager['nodeLabel']) ?? 'instance';
  if (cluster === node) report(['api', 'alertmanager', 'nodeLabel'], 'must differ from clusterLabel');
}

function checkCustody(custody: Raw, here: Path, wrapperIds: Set<string>, report: Report, peek: Peek): void {
  const missing = (wrapper: string) => `wrapper '${wrapper}' is not defined in wrappers`;
  const fallback = peek(custody['default']);
  if (fallback !== undefined && !wrapperIds.has(fallback)) report([...here, 'default'], missing(fallback));
  const shares = record(custody['shares']);
  if (custody['default'] === undefined && (shares === undefined || Object.keys(shares).length === 0)) {
    report(here, 'name a default wrapper or list shares per wrapper');
  }
  if (shares === undefined) return;
  const assigned = new Map<number, Path>();
  for (const [wrapper, indexes] of Object.entries(shares)) {
    if (!wrapperIds.has(wrapper)) report([...here, 'shares', wrapper], missing(wrapper));
    list(indexes).forEach((index, k) => {
      if (typeof index !== 'number' || !Number.isInteger(index)) return;
      unique(assigned, index, [...here, 'shares', wrapper, k], `share index ${index} is listed twice`, report);
    });
  }
}

/** Reports a repeat of `key`, pointing back at where it was first seen. */
function unique<K>(seen: Map<K, Path>, key: K, path: Path, message: string, report: Report): void {
  const first = seen.get(key);
  if (first === undefined) seen.set(key, path);
  else report(path, `${message} (first at ${formatPath(first)})`);
}

function record(value: unknown): Raw | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Raw) : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
