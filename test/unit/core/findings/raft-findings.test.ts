import { describe, expect, it } from 'vitest';
import { autopilotConfigProblems, raftFindings } from '../../../../shared/core/findings/raft-findings.ts';
import { parseGoDuration } from '../../../../shared/core/go-duration.ts';
import type { AutopilotConfiguration } from '../../../../shared/core/vault-types.ts';
import { cluster } from './raft-fixtures.ts';

const now = Date.UTC(2026, 0, 1);

const goodConfig: AutopilotConfiguration = {
  cleanupDeadServers: true,
  lastContactThreshold: '10s',
  deadServerLastContactThreshold: '1h0m0s',
  maxTrailingLogs: 1000,
  minQuorum: 3,
  serverStabilizationTime: '10s',
};

const run = (c: ReturnType<typeof cluster>, configured = Object.keys(c.autopilot.servers), config = goodConfig) =>
  raftFindings({ clusterId: 'c1', ...c, autopilotConfig: config, configuredNodes: configured, now })
    .map((f) => `${f.id}${f.node ? `@${f.node}` : ''}:${f.severity}`)
    .sort();

describe('raftFindings', () => {
  it.each([
    ['healthy 3 voters', cluster(['a', 'b', 'c']), []],
    ['healthy 5 voters', cluster(['a', 'b', 'c', 'd', 'e']), []],
    [
      'one of 3 dead: tolerance 0',
      cluster(['a', 'b', 'c'], ['c']),
      ['raft.autopilot-unhealthy:warning', 'raft.dead-peer@c:warning', 'raft.failure-tolerance:critical'],
    ],
    [
      'one of 5 dead: tolerance below expected',
      cluster(['a', 'b', 'c', 'd', 'e'], ['e']),
      ['raft.autopilot-unhealthy:warning', 'raft.dead-peer@e:warning', 'raft.failure-tolerance:warning'],
    ],
    [
      'two of 5 dead',
      cluster(['a', 'b', 'c', 'd', 'e'], ['d', 'e']),
      ['raft.autopilot-unhealthy:warning', 'raft.dead-peer@d:warning', 'raft.dead-peer@e:warning', 'raft.failure-tolerance:critical'],
    ],
    ['non-voter stable for a month', cluster(['a', 'b', 'c', 'd'], [], { nonVoters: ['d'] }), ['raft.stuck-non-voter@d:warning']],
  ])('%s', (_name, input, expected) => {
    expect(run(input)).toEqual([...expected].sort());
  });

  it('compares raft members with the configured nodes', () => {
    expect(run(cluster(['a', 'b', 'x']), ['a', 'b', 'c'])).toEqual(['raft.missing-member@c:warning', 'raft.unknown-member@x:warning']);
  });

  it.each([
    [{}, []],
    [{ cleanupDeadServers: false }, ['cleanup_dead_servers is off']],
    [{ deadServerLastContactThreshold: '2m0s' }, ['under 5m']],
    [{ deadServerLastContactThreshold: '48h0m0s' }, ['over 24h']],
    [{ deadServerLastContactThreshold: '24h0m0s' }, []],
    [{ minQuorum: 0 }, ['min_quorum is unset']],
  ])('autopilot configuration %o', (change, expected) => {
    const problems = autopilotConfigProblems({ ...goodConfig, ...change });
    expect(problems).toHaveLength(expected.length);
    for (const [i, text] of expected.entries()) expect(problems[i]).toContain(text);
  });

  it('reports the default autopilot configuration as drift', () => {
    const defaults = { ...goodConfig, cleanupDeadServers: false, deadServerLastContactThreshold: '24h0m0s', minQuorum: 0 };
    expect(run(cluster(['a', 'b', 'c']), ['a', 'b', 'c'], defaults)).toEqual(['raft.autopilot-config:warning']);
  });

  it.each([
    ['24h0m0s', 86_400_000],
    ['516.5ms', 516.5],
    ['0s', 0],
    ['1m30s', 90_000],
    ['90', 90_000],
    ['soon', null],
    ['', null],
  ])('parseGoDuration(%j)', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });
});
