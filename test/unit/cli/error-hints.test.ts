import { describe, expect, it } from 'vitest';
import { cliHint } from '../../../functions/cli/error-hints.ts';
import { reportError } from '../../../functions/cli/report-error.ts';
import type { CliIo } from '../../../functions/cli/io.ts';
import { ConflictError, NotFoundError, type SealwatchError, UnavailableError, ValidationError } from '../../../shared/errors.ts';

function capture(): { io: CliIo; err: () => string } {
  let err = '';
  return {
    io: { stdout: () => {}, stderr: (t) => void (err += t), readStdin: async () => '', env: {}, cwd: '/' },
    err: () => err,
  };
}

describe('the CLI maps domain errors to its flags and commands', () => {
  it.each<[string, SealwatchError, RegExp]>([
    ['custody exists', new ConflictError('cluster prod already has custody (generation 1)', { reason: 'custody-exists' }), /^pass --replace to overwrite it$/],
    ['a partial write', new ConflictError('custody of cluster prod is only partly written', { reason: 'custody-partial' }), /again with --replace$/],
    ['shares of another key', new ConflictError('these shares rebuild a different key', { reason: 'shares-differ' }), /--replace --rekeyed/],
    ['an initialized cluster', new ConflictError('cluster prod is already initialised (v0)', { reason: 'already-initialized' }), /`sealwatch keys import`/],
    ['no node answered', new UnavailableError('no node of cluster prod answered', { code: 'nodes_unreachable' }), /^pass --force /],
    ['a missing threshold', new ValidationError('the threshold is unknown', ['threshold: missing'], { field: 'threshold' }), /^pass --threshold T$/],
    ['no custody', new NotFoundError('cluster prod has no custody', { missing: 'custody' }), /`sealwatch keys import` or .*`sealwatch init`/],
    ['no Vault token', new NotFoundError('no Vault token of cluster prod is in custody', { missing: 'vault-token' }), /`sealwatch token set --cluster ID`/],
  ])('%s', (_label, error, hint) => {
    expect(error.message).not.toMatch(/--|sealwatch /);
    expect(cliHint(error)).toMatch(hint);
    const out = capture();
    expect(reportError(out.io, 'keys import', error, false)).toBe(1);
    expect(out.err()).toBe(
      `sealwatch keys import: ${error.message} — ${cliHint(error)}\n${error instanceof ValidationError ? error.problems.map((p) => `  - ${p}\n`).join('') : ''}`,
    );
    const json = capture();
    reportError(json.io, 'keys import', error, true);
    expect(JSON.parse(json.err()).error).toMatchObject({ code: error.code, message: error.message, hint: cliHint(error) });
  });

  it('gives no hint where the domain has nothing to add (a lost race names its own retry)', () => {
    expect(cliHint(new ConflictError('state item x: write condition not met'))).toBeUndefined();
    expect(cliHint(new ConflictError('cluster prod is busy; try again shortly', { reason: 'lease-held' }))).toBeUndefined();
    expect(cliHint(new UnavailableError('DynamoDB down'))).toBeUndefined();
  });

  it('keeps codes callers script against', () => {
    expect(new ConflictError('x', { reason: 'shares-differ' }).code).toBe('key_changed');
    expect(new ConflictError('x', { reason: 'custody-partial' }).code).toBe('custody_partial');
    expect(new ConflictError('x', { reason: 'custody-exists' }).code).toBe('custody_exists');
    expect(new ConflictError('x', { reason: 'lease-held' }).code).toBe('conflict');
  });
});
