/**
 * The Vault / OpenBao node simulator: a dev and test tool that reproduces Vault's and OpenBao's HTTP API
 * (their `http/sys_*.go` handlers @ v1.14.9 and later, see each handler module), never
 * imported by Lambda handlers. It prints nothing.
 */
export type { SimulatedAwsAuth } from './types.ts';
export { startSimulatedCluster } from './cluster.ts';
export { startSimulatedFleet, type SimulatedFleetOptions } from './fleet.ts';
export { startImpostorNode, type ImpostorNode, type ImpostorNodeOptions } from './impostor.ts';
export { getProfile, PROFILE_NAMES, type VaultProfile, type VaultProfileName } from './profiles.ts';
export {
  createTestPki,
  type IssuedCertificate,
  type IssueOptions,
  type TestPki,
  type TestPkiOptions,
} from './test-pki.ts';
export type {
  EnterpriseRole,
  NodeFaults,
  RequestLogEntry,
  SimulatedCluster,
  SimulatedClusterOptions,
  SimulatedInitResult,
  SimulatedNode,
  SimulatedNodeState,
  SimulatedSealType,
  SimulatedStorageType,
  WipeOptions,
} from './types.ts';
