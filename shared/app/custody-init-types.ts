import type { CustodyKind } from '../core/custody-types.ts';
import type { CustodyWriteAction } from '../core/plan-custody-write.ts';
import type { ConsistencyReport } from '../core/share-validation.ts';
import type { StoredShare } from './custody-import.ts';

// What `init` is asked, how it ends, and what its dry run plans (see custody-init.ts).

export interface InitClusterRequest {
  clusterId: string;
  /** Unseal shares (Shamir seal) or recovery shares (auto-unseal seal). */
  shares: number;
  threshold: number;
  /** Base64 PGP public keys of human custodians, one per share: then nothing is stored. */
  pgpKeys?: string[];
  storeRootToken?: boolean;
  /** Overwrite custody left from an earlier cluster of the same id. */
  replace?: boolean;
}

export interface InitCommon {
  cluster: string;
  node: string;
  kind: CustodyKind;
  sealType: string;
  threshold: number;
  shares: number;
  /**
   * The root token when it was not stored: shown once by the caller, then gone. Null when it
   * went into custody.
   */
  rootToken: string | null;
  warnings: string[];
}

/** The custody writes applied, in order (what a dry run plans, as executed). */
interface Applied {
  actions: CustodyWriteAction[];
}

/** How `init` ended. Only `custody-failed` carries shares, because otherwise they would be lost. */
export type InitClusterResult =
  | (InitCommon &
      Applied & {
        outcome: 'custody-created';
        generation: number;
        replaced: boolean;
        stored: StoredShare[];
        consistency: Omit<ConsistencyReport, 'keyCheck'>;
      })
  | (InitCommon &
      Applied & {
        outcome: 'pgp-encrypted';
        /** Vault's PGP-encrypted shares (base64), in custodian order; sealwatch cannot read them. */
        encryptedShares: string[];
      })
  | (InitCommon & {
      outcome: 'custody-failed';
      /** Why the shares could not be put into custody after Vault handed them out. */
      error: string;
      /** The shares in base64, to be shown once: Vault will never hand them out again. */
      sharesBase64: string[];
    });

/** What `init` would do: every check a real run makes before Vault, the call, and the writes after. */
export interface InitPlan extends Omit<InitCommon, 'rootToken'> {
  dryRun: true;
  /** Vault would hand the shares out PGP-encrypted (no custody of shares). */
  pgp: boolean;
  /** The custody generation the shares would get (null: no shares stored). */
  generation: number | null;
  replaces: number | null;
  /** The custody writes after Vault answers, in order. */
  actions: CustodyWriteAction[];
  /** What would happen to the root token (never the token itself). */
  rootToken: 'stored' | 'shown-once';
}
