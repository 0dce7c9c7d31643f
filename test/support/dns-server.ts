import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';

export interface DnsZone {
  [name: string]: { A?: string[]; AAAA?: string[]; SRV?: { priority: number; weight: number; port: number; target: string }[] };
}

const TYPES = { A: 1, AAAA: 28, SRV: 33 } as const;

/**
 * A tiny authoritative DNS server on UDP loopback (RFC 1035 message format, RFC 2782 SRV,
 * RFC 3596 AAAA): answers A, AAAA and SRV from `zone`, NXDOMAIN for unknown names.
 */
export async function startDnsServer(zone: DnsZone): Promise<{ server: string; queries: string[]; zone: DnsZone; close(): Promise<void> }> {
  const socket = createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (msg, rinfo) => {
    const id = msg.readUInt16BE(0);
    let offset = 12;
    const labels: string[] = [];
    while (msg[offset] !== 0) {
      const len = msg[offset] as number;
      labels.push(msg.subarray(offset + 1, offset + 1 + len).toString('ascii'));
      offset += len + 1;
    }
    offset += 1;
    const qtype = msg.readUInt16BE(offset);
    const question = msg.subarray(12, offset + 4);
    const name = labels.join('.').toLowerCase();
    queries.push(`${name}/${qtype}`);
    const entry = zone[name];
    const answers: Buffer[] = [];
    if (entry) {
      if (qtype === TYPES.A) for (const a of entry.A ?? []) answers.push(rr(TYPES.A, Buffer.from(a.split('.').map(Number))));
      if (qtype === TYPES.AAAA) for (const a of entry.AAAA ?? []) answers.push(rr(TYPES.AAAA, ipv6Bytes(a)));
      if (qtype === TYPES.SRV) {
        for (const s of entry.SRV ?? []) {
          const head = Buffer.alloc(6);
          head.writeUInt16BE(s.priority, 0);
          head.writeUInt16BE(s.weight, 2);
          head.writeUInt16BE(s.port, 4);
          answers.push(rr(TYPES.SRV, Buffer.concat([head, encodeName(s.target)])));
        }
      }
    }
    const header = Buffer.alloc(12);
    header.writeUInt16BE(id, 0);
    // QR=1, AA=1, RD copied, RCODE 3 (NXDOMAIN) when the name is unknown.
    header.writeUInt16BE(0x8400 | (msg.readUInt16BE(2) & 0x0100) | (entry ? 0 : 3), 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    socket.send(Buffer.concat([header, question, ...answers]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    server: `127.0.0.1:${socket.address().port}`,
    queries,
    zone,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** One answer record whose owner is the question name (compression pointer to offset 12). */
function rr(type: number, data: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt32BE(30, 6);
  head.writeUInt16BE(data.length, 10);
  return Buffer.concat([head, data]);
}

function encodeName(name: string): Buffer {
  return Buffer.concat([
    ...name
      .split('.')
      .filter(Boolean)
      .map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])),
    Buffer.from([0]),
  ]);
}

function ipv6Bytes(address: string): Buffer {
  if (!isIPv6(address)) throw new Error(`not IPv6: ${address}`);
  const [head = '', tail = ''] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => {
    out.writeUInt16BE(parseInt(g, 16), i * 2);
  });
  return out;
}
