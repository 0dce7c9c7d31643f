import { ConflictError, NotFoundError, type SealwatchError, UnavailableError, ValidationError } from '../../shared/errors.ts';

/** The flag that sets each request field the application layer names in a ValidationError. */
const FIELD_HINTS: Record<string, string> = {
  threshold: 'pass --threshold T',
  storeRootToken: 'leave out --store-root-token, or import the output that holds root_token',
  shares: 'name stored shares with --shares (see `sealwatch keys status`)',
};

/**
 * What the reader of a CLI line can do about a domain error, in the CLI's words: the
 * application layer says what went wrong (`reason`, `field`, `missing`, a code) and never names
 * a flag; this is where flags and commands are named.
 */
export function cliHint(error: SealwatchError): string | undefined {
  if (error instanceof ConflictError) {
    switch (error.reason) {
      case 'custody-exists':
        return 'pass --replace to overwrite it';
      case 'custody-partial':
        return 'run the import again with --replace';
      case 'shares-differ':
        return (
          'if the cluster was rekeyed (`vault operator rekey`), import the new shares with --replace --rekeyed; ' +
          "otherwise these are not the shares of this cluster's current key (custody Vault has rejected as wrong, " +
          'shown blocked by keys status, is replaced without --rekeyed)'
        );
      case 'already-initialized':
        return 'import its shares with `sealwatch keys import` instead';
      default:
        return undefined;
    }
  }
  if (error instanceof UnavailableError && error.code === 'nodes_unreachable') {
    return 'pass --force to import without this check (with --threshold T when the input has no threshold)';
  }
  if (error instanceof ValidationError && error.field !== undefined) return FIELD_HINTS[error.field];
  if (error instanceof NotFoundError) {
    if (error.missing === 'custody') return 'import shares with `sealwatch keys import` or create them with `sealwatch init`';
    if (error.missing === 'vault-token') return 'store one with `sealwatch token set --cluster ID`';
  }
  return undefined;
}
