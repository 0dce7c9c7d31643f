import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../shared/app/metrics.ts';
import { nodeReport, sweepReport } from '../../support/sweep-report-fixture.ts';

// `sealwatch_nodes{cluster,state}` as sweeps of every cluster and targeted sweeps of a few set it.

const nodeLines = (text: string) => text.split('\n').filter((l) => l.startsWith('sealwatch_nodes{'));

describe('metrics: nodes per cluster and state', () => {
  it('a state that emptied drops to 0 for the swept clusters only; a targeted sweep leaves the others as they were', () => {
    const metrics = createMetrics();
    metrics.recordSweep(
      sweepReport([
        { id: 'a', nodes: [nodeReport('a1', 'active'), nodeReport('a2', 'sealed')] },
        { id: 'b', nodes: [nodeReport('b1', 'active'), nodeReport('b2', 'sealed')] },
      ]),
    );
    // A targeted sweep of `a`, whose sealed node was unsealed.
    metrics.recordSweep(sweepReport([{ id: 'a', nodes: [nodeReport('a1', 'active'), nodeReport('a2', 'standby')] }]));

    expect(nodeLines(metrics.render()).sort()).toEqual([
      'sealwatch_nodes{cluster="a",state="active"} 1',
      'sealwatch_nodes{cluster="a",state="sealed"} 0',
      'sealwatch_nodes{cluster="a",state="standby"} 1',
      'sealwatch_nodes{cluster="b",state="active"} 1',
      'sealwatch_nodes{cluster="b",state="sealed"} 1',
    ]);
  });
});
