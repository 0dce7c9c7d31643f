import type {
  AutopilotConfiguration,
  AutopilotState,
  HaStatusNode,
  HealthResponse,
  InitRequest,
  InitResponse,
  LeaderStatus,
  RaftConfiguration,
  RaftJoinRequest,
  SealBackendStatus,
  SealStatus,
} from '../core/vault-types.ts';
import type { VaultTarget } from '../core/vault-target.ts';
import type { PeerCertificateInfo } from './certificate-probe.ts';

export type { VaultTarget };

/** Per-call options. */
export interface CallOptions {
  /** Deadline for the whole exchange (connect, headers and body). */
  signal?: AbortSignal;
  /** Vault token for authenticated endpoints. Never logged. */
  token?: string;
  /**
   * Further secrets (e.g. every custody share in memory, as hex) the answer must not carry. The
   * token and a submitted key are always cut out; see the redaction guarantee on {@link VaultClient}.
   */
  redact?: readonly string[];
}

export interface HealthOptions extends CallOptions {
  method?: 'GET' | 'HEAD';
  /** Query overrides such as `standbyok`, `sealedcode` (Vault `http/sys_health.go` getSysHealth @ v1.14.9). */
  query?: Record<string, string>;
}

/**
 * A client for one Vault node.
 *
 * Guarantees: every call ends by its deadline; TLS is verified against `caPem` (or the default
 * CAs) unless the target is `insecureHttp`; responses larger than 1 MiB are rejected; unknown
 * JSON fields are tolerated.
 *
 * Redaction: every text of every answer (error texts and each string field, e.g. `version`) is
 * filtered before it is returned or put in an error: the call's token, the key it sent and
 * `redact` in every encoding, and any key-like run (`shared/core/redact.ts`). Only `init` and
 * `awsIamLogin`, whose answers are secrets by design, return their fields unfiltered.
 *
 * Errors: {@link VaultUnreachableError} (reason timeout | refused | tls | bad-response | too-large)
 * when the node cannot be reached or does not speak Vault's API; {@link VaultApiError} carrying
 * Vault's `errors` texts and status for any error answer. `health()` never throws VaultApiError
 * for its documented status codes (they carry the state), only for other statuses.
 */
export interface VaultClient {
  readonly target: VaultTarget;
  sealStatus(options?: CallOptions): Promise<SealStatus>;
  health(options?: HealthOptions): Promise<HealthResponse>;
  /** Submit one key share (hex or base64), or reset the attempt. */
  unseal(request: { key: string } | { reset: true }, options?: CallOptions): Promise<SealStatus>;
  initStatus(options?: CallOptions): Promise<{ initialized: boolean }>;
  init(request: InitRequest, options?: CallOptions): Promise<InitResponse>;
  /** `PUT sys/seal`; needs a token with update+sudo. */
  seal(options: CallOptions): Promise<void>;
  leader(options?: CallOptions): Promise<LeaderStatus>;
  haStatus(options: CallOptions): Promise<HaStatusNode[]>;
  raftJoin(request: RaftJoinRequest, options?: CallOptions): Promise<{ joined: boolean }>;
  raftConfiguration(options: CallOptions): Promise<RaftConfiguration>;
  raftRemovePeer(serverId: string, options: CallOptions): Promise<void>;
  /** Null when autopilot has no state (Vault answers 404). */
  autopilotState(options: CallOptions): Promise<AutopilotState | null>;
  autopilotConfiguration(options: CallOptions): Promise<AutopilotConfiguration>;
  setAutopilotConfiguration(config: Partial<AutopilotConfiguration>, options: CallOptions): Promise<void>;
  /** Null on versions without the endpoint (Vault < 1.15, OpenBao: a Vault-shaped 403 or 404). */
  sealBackendStatus(options?: CallOptions): Promise<SealBackendStatus | null>;
  /**
   * `POST auth/<mount>/login` of the AWS IAM auth method. The answer holds a token: callers keep
   * it in memory only. Optional so test doubles need not implement it.
   */
  awsIamLogin?(mount: string, body: AwsIamLoginBody, options?: CallOptions): Promise<{ token: string; leaseDurationSeconds: number }>;
}

/** The login body of Vault's AWS IAM auth method (base64 fields as Vault expects them). */
export interface AwsIamLoginBody {
  role: string;
  iam_http_request_method: 'POST';
  iam_request_url: string;
  iam_request_headers: string;
  iam_request_body: string;
}

/** Builds clients; implementations may pool connections per CA. */
export interface VaultClientFactory {
  client(target: VaultTarget): VaultClient;
  /**
   * The certificate the target presented at the last full handshake of a verified TLS connection
   * this factory opened to it (null before any, or for plain HTTP). Connections are kept alive and
   * their TLS sessions resumed, so it can be older than the certificate the node serves now: a
   * certificate check takes it for its first look only, instead of handshaking again.
   */
  peerCertificate?(target: VaultTarget): PeerCertificateInfo | null;
  /** Release pooled connections. */
  close(): Promise<void>;
}
