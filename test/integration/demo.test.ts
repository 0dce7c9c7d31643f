import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SweepReport } from '../../shared/app/sweep-types.ts';

// The newcomer's first command, run as they would run it: the real CLI in a child process.

const root = fileURLToPath(new URL('../..', import.meta.url));

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['functions/cli/bin.js', ...args],
      { cwd: root, timeout: 40_000, env: { ...process.env, SEALWATCH_LOG_LEVEL: 'warn' } },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

describe('sealwatch demo --once --json', () => {
  it('initialises the simulated cluster into custody and reports every node unsealed by sealwatch', { timeout: 45_000 }, async () => {
    const { code, stdout, stderr } = await runCli(['demo', '--once', '--json', '--nodes', '3']);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout) as SweepReport;
    const nodes = report.clusters.flatMap((c) => c.nodes);
    expect(nodes).toHaveLength(3);
    for (const node of nodes) {
      expect(node).toMatchObject({ unsealedBy: 'sealwatch', sealed: false, initialized: true });
      expect(node.unseal?.outcome).toBe('unsealed');
    }
    expect(report.totals.unsealed).toBe(3);
    expect(report.totals.byState.sealed).toBe(0);
    expect((report.clusters[0]?.findings ?? []).filter((f) => /^(unseal|custody)\./.test(f.id))).toEqual([]);
  });
});
