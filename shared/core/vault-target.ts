/** Where and how to reach one Vault node. */
export interface VaultTarget {
  /** Base URL, e.g. `https://vault-0.vault-internal:8200` (no `/v1`). */
  url: string;
  /** PEM bundle the node's certificate must chain to. Absent: Node's default CAs. */
  caPem?: string;
  /** SNI / certificate host name to verify instead of the URL's host. */
  serverName?: string;
  /** Plain HTTP allowed. Dev only: shares would travel in clear text. */
  insecureHttp?: boolean;
}
