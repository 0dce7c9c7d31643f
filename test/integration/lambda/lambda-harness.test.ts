import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { invoke } from '../../support/lambda-harness.ts';

// The harness must be able to fail: each handler here leaves something running after it
// returns, as a handler that "answers first and finishes later" would on Lambda.
describe('the Lambda harness', () => {
  const options = { functionName: 'harness-test', timeoutMs: 5_000 };

  it('sees nothing pending after a handler that finished its work', async () => {
    const run = await invoke(
      async (event: { ms: number }) => {
        await new Promise((resolve) => setTimeout(resolve, event.ms));
        return 'done';
      },
      { ms: 5 },
      options,
    );
    expect(run).toMatchObject({ result: 'done', pending: [] });
  });

  it('sees a timer left running, and the promise waiting on it', async () => {
    let stop: NodeJS.Timeout | undefined;
    const run = await invoke(
      async () => {
        void new Promise((resolve) => (stop = setTimeout(resolve, 2_000)));
        return 'answered early';
      },
      {},
      options,
    );
    clearTimeout(stop);
    expect(run.pending.map((p) => p.type).sort()).toEqual(['PROMISE', 'Timeout']);
  });

  it('sees a request still in flight on a socket', async () => {
    const server = createServer(() => {}); // never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const controller = new AbortController();
    const run = await invoke(
      async () => {
        void fetch(`http://127.0.0.1:${port}/`, { signal: controller.signal }).catch(() => {});
        await new Promise((resolve) => setTimeout(resolve, 50));
        return 'answered early';
      },
      {},
      options,
    );
    controller.abort();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    expect(run.pending.length).toBeGreaterThan(0);
    expect(run.pending.some((p) => p.type === 'PROMISE')).toBe(true);
  });

  it('does not count a dropped promise nobody can settle any more', async () => {
    const run = await invoke(
      async () => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise((resolve) => (timer = setTimeout(resolve, 1_000)));
        await Promise.race([late, Promise.resolve('fast')]);
        clearTimeout(timer);
        return 'done';
      },
      {},
      options,
    );
    expect(run.pending).toEqual([]);
  });
});
