import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../functions/cli/control-plane.ts';
import { silentLogger } from '../../shared/adapters/json-logger.ts';
import { createMemoryStateStore } from '../../shared/adapters/memory-state-store.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import type { SealwatchConfig } from '../../shared/config/types.ts';
import { createRuntime, type Runtime } from '../../shared/runtime/create-runtime.ts';

// The local server's defences against slow and greedy clients (issue 14, item 8), on a real
// socket: a client that never finishes its headers is cut off; connections past the cap are
// closed at once.

let runtime: Runtime;
let plane: ControlPlane;
let port = 0;

beforeAll(async () => {
  const config: SealwatchConfig = {
    state: { kind: 'embedded', embedded: { path: '/nonexistent' } },
    sweep: { concurrency: 2, nodeTimeoutMs: 500, intervalSeconds: 3600 },
    wrappers: [],
    // Nothing listens on port 9 of loopback: the one sweep at start finds the node unreachable.
    clusters: [{ id: 'c', name: 'c', nodes: [{ id: 'n', url: 'http://127.0.0.1:9', insecureHttp: true }] }],
  };
  runtime = await createRuntime({ config, clock: systemClock, logger: silentLogger, store: createMemoryStateStore({ clock: systemClock }) });
  plane = await startControlPlane(runtime, {
    host: '127.0.0.1',
    auth: 'open-loopback-demo',
    port: 0,
    intervalMs: 3_600_000,
    version: 'test',
    onReport: () => undefined,
    http: { headersTimeoutMs: 400, checkIntervalMs: 100, maxConnections: 2 },
  });
  port = Number(new URL(plane.url).port);
});

afterAll(async () => {
  await plane?.stop();
  await runtime?.close();
});

function connect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves with what the server sent and how long until it closed the connection. */
function untilClosed(socket: net.Socket, started: number): Promise<{ data: string; afterMs: number }> {
  return new Promise((resolve) => {
    let data = '';
    socket.on('data', (d: Buffer) => (data += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ data, afterMs: Date.now() - started }));
  });
}

describe('sealwatch serve HTTP limits', () => {
  it('an open (demo) API is refused on a non-loopback bind before anything listens', async () => {
    const start = startControlPlane(runtime, {
      host: '0.0.0.0',
      port: 0,
      intervalMs: 3_600_000,
      version: 'test',
      auth: 'open-loopback-demo',
      onReport: () => undefined,
    });
    await expect(start).rejects.toThrow(/only listen on a loopback address, not on "0.0.0.0"/);
  });

  it('a client that never finishes its headers gets 408 and is disconnected after headersTimeout', async () => {
    const socket = await connect();
    const started = Date.now();
    const closed = untilClosed(socket, started);
    socket.write('GET /v1/clusters HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const { data, afterMs } = await closed;
    expect(data).toMatch(/^HTTP\/1\.1 408 /);
    expect(afterMs).toBeGreaterThanOrEqual(300);
    expect(afterMs).toBeLessThan(3_000);
  });

  it('connections past maxConnections are closed at once; the ones within the cap stay usable', async () => {
    const first = await connect();
    const second = await connect();
    const third = await connect();
    const { afterMs } = await untilClosed(third, Date.now());
    // Well before headersTimeout (400 ms), which would close any idle connection too.
    expect(afterMs).toBeLessThan(200);
    const answered = untilClosed(first, Date.now());
    first.write('GET /v1/clusters HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect((await answered).data).toMatch(/^HTTP\/1\.1 \d{3} /);
    second.destroy();
  });
});
