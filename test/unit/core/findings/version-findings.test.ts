import { describe, expect, it } from 'vitest';
import { versionFindings } from '../../../../shared/core/findings/version-findings.ts';
import type { NodeState } from '../../../../shared/core/node-state.ts';
import { view } from './node-view-fixture.ts';

const node = (id: string, state: NodeState, version: string | null) => ({ nodeId: id, view: view(state, { version }) });

describe('versionFindings', () => {
  it.each([
    ['one version', [node('a', 'active', '1.19.5'), node('b', 'standby', '1.19.5')], []],
    ['unknown versions are ignored', [node('a', 'active', '1.19.5'), node('b', 'sealed', null)], []],
    ['standby upgraded first (correct order)', [node('a', 'active', '1.19.5'), node('b', 'standby', '1.20.0')], ['cluster.version-skew']],
    [
      'active upgraded first',
      [node('a', 'active', '1.20.0'), node('b', 'standby', '1.19.5'), node('c', 'standby', '1.20.0')],
      ['cluster.version-skew', 'cluster.upgrade-order'],
    ],
    ['numeric, not string, order', [node('a', 'active', '1.9.0'), node('b', 'standby', '1.10.0')], ['cluster.version-skew']],
  ])('%s', (_name, input, expected) => {
    expect(versionFindings('c1', input).map((f) => f.id)).toEqual(expected);
  });

  it('lists the older standbys of an upgrade-order violation', () => {
    const found = versionFindings('c1', [node('a', 'active', '1.20.0'), node('b', 'standby', '1.19.5')]);
    expect(found[1]).toMatchObject({ node: 'a', evidence: { activeVersion: '1.20.0', olderNodes: ['b=1.19.5'] } });
    expect(found[0]?.evidence).toMatchObject({ versions: ['1.19.5', '1.20.0'] });
  });
});
