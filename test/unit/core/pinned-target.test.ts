import { describe, expect, it } from 'vitest';
import { observationTarget, pinnedTarget, resolvePinnedTarget, UnpinnedTargetError } from '../../../shared/core/pinned-target.ts';
import { ValidationError } from '../../../shared/errors.ts';

const nodes = [
  { id: 'a', url: 'https://vault-a:8200' },
  { id: 'dev', url: 'http://127.0.0.1:8200', insecureHttp: true },
  { id: 'plain', url: 'http://vault-p:8200' },
];

describe('pinned targets', () => {
  it('an https node of a cluster without CA is refused for secrets but observable with the default CAs', () => {
    const cluster = { id: 'c1', nodes };
    expect(resolvePinnedTarget(cluster, 'a')).toMatchObject({ refused: 'unpinned', detail: expect.stringMatching(/^cluster c1 has no tls\.caFile\/caPem: /) });
    const error = (() => {
      try {
        pinnedTarget(cluster, 'a');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UnpinnedTargetError);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ refused: 'unpinned', clusterId: 'c1', nodeId: 'a' });
    expect(observationTarget(cluster, nodes[0]!)).toEqual({ url: 'https://vault-a:8200' });
  });

  it('pins to the cluster CA and server name; plain HTTP only for insecureHttp nodes', () => {
    const cluster = { id: 'c1', nodes, tls: { caPem: 'PEM', serverName: 'vault.internal' } };
    expect(pinnedTarget(cluster, 'a')).toEqual({ url: 'https://vault-a:8200', caPem: 'PEM', serverName: 'vault.internal' });
    expect(pinnedTarget(cluster, 'dev')).toMatchObject({ url: 'http://127.0.0.1:8200', insecureHttp: true });
    expect(resolvePinnedTarget(cluster, 'plain')).toMatchObject({ refused: 'insecure-http' });
    expect(resolvePinnedTarget(cluster, 'zz')).toMatchObject({ refused: 'unknown-node' });
  });
});
