import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDbStateStore } from '../adapters/dynamodb-state-store.ts';
import type { EmbeddedStoreNotice } from '../adapters/embedded-dynamo.ts';
import { createVaultHttpClientFactory } from '../adapters/vault-http.ts';
import { createApiKeyService, type ApiKeyService } from '../app/api-keys.ts';
import { createAuditLog, type AuditLog } from '../app/audit-log.ts';
import { createCustodyRepository } from '../app/custody-repository.ts';
import { createLeaseManager } from '../app/lease-manager.ts';
import { createAlerting, type Alerting } from '../app/notify.ts';
import { createMetrics, instrumentSweep, type Metrics } from '../app/metrics.ts';
import { createRecoveryService, type RecoveryService } from '../app/recovery.ts';
import { countingStore } from '../app/counting-store.ts';
import { createSweepService, type SweepService } from '../app/sweep.ts';
import { markNewStore } from '../app/store-layout.ts';
import { createDryRunExecutor } from '../app/sweep-dry-run.ts';
import type { SweepCluster } from '../app/sweep-types.ts';
import { createUnsealService, type UnsealService } from '../app/unseal-service.ts';
import type { ClusterConfig, SealwatchConfig } from '../config/types.ts';
import type { AlertChannel } from '../ports/alert-channel.ts';
import type { Clock } from '../ports/clock.ts';
import type { LeaseManager } from '../ports/lease.ts';
import type { Logger } from '../ports/logger.ts';
import type { StateStore } from '../ports/state-store.ts';
import type { VaultClientFactory } from '../ports/vault-client.ts';
import { createAlertChannels } from './alert-channels.ts';
import { createKeyStorageInspectors } from './key-storage-inspectors.ts';
import { createHealthServices, type HealthServices } from './health-wiring.ts';
import { createKeyWrappers, type KeyWrapperRegistry } from './key-wrappers.ts';
import { createDiscoveryWiring, withServerNameTemplates } from './discovery-wiring.ts';
import type { DiscoveryService } from '../app/discovery/discovery-service.ts';
import type { NodeDiscovery } from '../ports/node-discovery.ts';

/** Everything an entry point needs, built once from the configuration. */
export interface Runtime {
  config: SealwatchConfig;
  clusters: SweepCluster[];
  store: StateStore;
  leases: LeaseManager;
  vault: VaultClientFactory;
  clock: Clock;
  logger: Logger;
  sweep: SweepService;
  /** The configured custody key wrappers. */
  wrappers: KeyWrapperRegistry;
  audit: AuditLog;
  unseal: UnsealService;
  /** Control tokens, raft recovery and the cluster health inspectors (issue #4). */
  health: HealthServices;
  /** Incidents, silences, outbox and its drain (the sweep's beginAfterSweep). */
  alerting: Alerting;
  /** In-process counters (served on `GET /metrics` by the local server). */
  metrics: Metrics;
  /** Targeted sweep / unseal / recover of one cluster (API, webhooks, EventBridge events). */
  recovery: RecoveryService;
  /** API keys for the operator routes. */
  apiKeys: ApiKeyService;
  /** Node discovery (`clusters[].discovery`); clusters without it pass through. */
  discovery: DiscoveryService;
  /**
   * One configured cluster with its discovered nodes as of now (read-only: vanished nodes are
   * counted by sweeps only). Undefined for an unknown id. CLI commands acting on one cluster use it.
   */
  resolveCluster(id: string): Promise<SweepCluster | undefined>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  config: SealwatchConfig;
  clock: Clock;
  logger: Logger;
  /** Use this store instead of the configured one (tests, benchmarks). */
  store?: StateStore;
  /** For the embedded store: keep data in memory instead of under `state.embedded.path`. */
  inMemoryState?: boolean;
  /**
   * The demo's pause: while it returns true for a cluster, sweeps report its sealed nodes without
   * unsealing them (so one sweep can be watched seeing the seal before the next repairs it).
   */
  holdAutoUnseal?: (clusterId: string) => boolean;
  /**
   * For the embedded store: host it for other sealwatch processes while this runtime is open
   * (`sealwatch serve`). Without it the runtime joins a running host, or opens the store alone.
   */
  hostEmbeddedStore?: boolean | 'if-first';
  /** Use these alert channels instead of the configured ones (tests). */
  alertChannels?: AlertChannel[];
  /**
   * Environment for in-cluster Kubernetes access (`KUBERNETES_SERVICE_HOST/PORT`), handed in by
   * the entry point; none: no in-cluster access.
   */
  env?: Record<string, string | undefined>;
  /** Discovery sources by cluster id instead of the configured ones (tests). */
  discoverySources?: ReadonlyMap<string, NodeDiscovery>;
}

/**
 * The composition root shared by the Lambda handlers and the CLI: adapters chosen by the
 * configuration, wired into the application services.
 */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config, clock, logger } = options;
  // Built first: a bad local key text fails here, before a store is opened and left open.
  const wrappers = createKeyWrappers(config.wrappers);
  const channels = options.alertChannels ? undefined : createAlertChannels(config.channels ?? [], { now: () => clock.now() });
  // Every service writes through one counter: a sweep's report says how many writes it caused.
  const store = countingStore(options.store ?? (await openStateStore(options)));
  const templates = withServerNameTemplates(createVaultHttpClientFactory({ userAgent: 'sealwatch' }));
  const vault = templates.vault;
  const leases = createLeaseManager({ store, clock });
  const clusters = config.clusters.map(toSweepCluster);
  templates.remember(clusters);
  const discovery = createDiscoveryWiring({
    clusters: config.clusters,
    store,
    clock,
    logger,
    env: options.env ?? {},
    ...(options.discoverySources ? { sources: options.discoverySources } : {}),
  });
  const custody = createCustodyRepository(store);
  const audit = createAuditLog({ store, clock });
  const unseal = createUnsealService({
    store,
    leases,
    vault,
    wrappers: wrappers.all(),
    clock,
    logger,
    audit,
    // A node's second chance after a rejection comes no sooner than the next sweep.
    retryAfterMs: config.sweep.intervalSeconds * 1000,
    knownSecrets: (clusterId) => {
      const token = health.tokens.cached(clusterId);
      return token === null ? [] : [token];
    },
  });
  const autoUnsealSetting = new Map(config.clusters.map((c) => [c.id, c.autoUnseal]));
  const health = createHealthServices({ config, clusters, store, leases, vault, wrappers, custody, audit, unseal, clock, logger });
  const keyStorage = createKeyStorageInspectors({ clusters: config.clusters, wrappers, vault, store, audit, clock, logger });
  const metrics = createMetrics();
  const alerting = createAlerting({
    onDelivery: (o) => metrics.inc('sealwatch_alert_deliveries_total', { channel: o.channel, outcome: o.state }),
    store,
    clock,
    logger,
    ...(config.alerts ? { alerts: config.alerts } : {}),
    channels: options.alertChannels ?? channels?.all() ?? [],
    clusters: clusters.map((c) => c.id),
  });
  const sweep = instrumentSweep(
    metrics,
    createSweepService({
      clusters,
      vault,
      store,
      leases,
      clock,
      logger,
      concurrency: config.sweep.concurrency,
      nodeTimeoutMs: config.sweep.nodeTimeoutMs,
      // Unset in the config: on exactly when the cluster has shares in custody.
      autoUnseal: async (clusterId) =>
        !(options.holdAutoUnseal?.(clusterId) ?? false) && (autoUnsealSetting.get(clusterId) ?? (await custody.meta(clusterId)) !== null),
      // A recover of the whole cluster unseals unless the config says `autoUnseal: false`.
      recoverUnseals: (clusterId) => autoUnsealSetting.get(clusterId) !== false,
      raftAutoJoin: (clusterId) => health.recoveryClusters.get(clusterId)?.raft?.autoJoin === true,
      raftRead: health.raftRead,
      raftPlanner: health.raftPlanner,
      // The one executor of the sweep's plan: unseals through the unseal service, raft actions
      // through raft recovery, storage backups through the storage checker; each holds (or is
      // given) the cluster lease and audits.
      execute: (input) => {
        switch (input.action.kind) {
          case 'unseal':
            return unseal.executor(input);
          case 'storage-backup':
            return keyStorage.executeStorage(input);
          default:
            return health.executeRaft(input);
        }
      },
      describe: createDryRunExecutor({ unseal }),
      inspectors: [...health.inspectors, ...keyStorage.inspectors],
      beginAfterSweep: () => alerting.beginAfterSweep(),
      resolveClusters: async (scope, signal, mode) => {
        // A dry run records nothing: the nodes as known now (vanished nodes are counted by sweeps).
        if (mode?.readOnly) {
          const clusters = await Promise.all(scope.map(async (c) => (await resolveCluster(c.id)) ?? c));
          return { clusters, findings: new Map() };
        }
        const resolved = await discovery.service.resolveClusters(scope, signal);
        track(resolved.clusters);
        return resolved;
      },
      writeCount: () => store.writeCount(),
    }),
  );
  /**
   * Discovered nodes become known to the `{node}` server-name template and to the health
   * services, which hold their RecoveryCluster objects by reference (join, leader, dead peers).
   */
  function track(resolved: readonly SweepCluster[]): void {
    templates.remember(resolved);
    for (const cluster of resolved) {
      const held = health.recoveryClusters.get(cluster.id);
      if (held && discovery.service.has(cluster.id)) Object.assign(held, { nodes: cluster.nodes });
    }
  }
  async function resolveCluster(id: string): Promise<SweepCluster | undefined> {
    const cluster = clusters.find((c) => c.id === id);
    if (!cluster || !discovery.service.has(id)) return cluster;
    const resolved = await discovery.service.resolveCluster(cluster, AbortSignal.timeout(30_000));
    track([resolved.cluster]);
    return resolved.cluster;
  }
  // API, webhooks and events reach discovered nodes too (unseal and recovery steps).
  const recovery = createRecoveryService({
    clusters,
    sweep,
    unseal: { unsealCluster: async (request) => unseal.unsealCluster({ ...request, cluster: (await resolveCluster(request.cluster.id)) ?? request.cluster }) },
    metrics,
  });
  const apiKeys = createApiKeyService({ store, clock });
  return {
    config,
    clusters,
    store,
    leases,
    vault,
    clock,
    logger,
    sweep,
    wrappers,
    audit,
    unseal,
    health,
    alerting,
    metrics,
    recovery,
    apiKeys,
    discovery: discovery.service,
    resolveCluster,
    async close() {
      discovery.close();
      await vault.close();
      await wrappers.close();
      keyStorage.close();
      channels?.close();
      if (!options.store) await store.close();
    },
  };
}

async function openStateStore(options: RuntimeOptions): Promise<StateStore> {
  const { config, clock, logger } = options;
  switch (config.state.kind) {
    case 'dynamodb': {
      const { table, region, endpoint } = config.state.dynamodb;
      const client = new DynamoDBClient({ region, ...(endpoint ? { endpoint } : {}) });
      return createDynamoDbStateStore({ client, table, clock });
    }
    case 'embedded': {
      // Loaded lazily: dynalite (LevelDB) is for local runs and never ships in a Lambda bundle.
      const { createEmbeddedStateStore } = await import('../adapters/embedded-dynamo.ts');
      let created = false;
      const onNotice = (notice: EmbeddedStoreNotice) => {
        const { kind, ...fields } = notice;
        // Not logged: every first command in a new directory would print it.
        if (kind === 'created') created = true;
        else if (kind === 'stale-record') logger.warn('state.embedded.stale_record', { ...fields, removed: true });
        else logger.info(`state.embedded.${kind}`, fields);
      };
      const store = options.inMemoryState
        ? await createEmbeddedStateStore({ inMemory: true, clock, onNotice })
        : await createEmbeddedStateStore({ path: config.state.embedded.path, clock, host: options.hostEmbeddedStore ?? false, onNotice });
      // A new store holds nothing of an earlier sealwatch: the one-time layout moves have nothing to do.
      if (created) {
        try {
          await markNewStore(store, clock);
        } catch (error) {
          await store.close();
          throw error;
        }
      }
      return store;
    }
  }
}

export function toSweepCluster(cluster: ClusterConfig): SweepCluster {
  return {
    id: cluster.id,
    name: cluster.name,
    nodes: cluster.nodes.map((n) => ({ id: n.id, url: n.url, insecureHttp: n.insecureHttp })),
    ...(cluster.tls
      ? {
          tls: {
            ...(cluster.tls.caPem === undefined ? {} : { caPem: cluster.tls.caPem }),
            ...(cluster.tls.serverName === undefined ? {} : { serverName: cluster.tls.serverName }),
          },
        }
      : {}),
  };
}
