import net from 'node:net';

export interface PodAddress {
  /** `https://HOST:PORT`, the address the pod is reached at. */
  url: string;
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/**
 * Gives a simulated Vault node another IP: a TCP forwarder listening on `host` (any 127.x.y.z
 * loopback address) to the node's real port, like a pod IP that changes on every restart while
 * the process behind it is the same. Counting connections shows whether an address is still used.
 */
export async function podAddress(nodeUrl: string, host: string): Promise<PodAddress> {
  const target = new URL(nodeUrl);
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    count += 1;
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `${target.protocol}//${host}:${port}`,
    connections: () => count,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
