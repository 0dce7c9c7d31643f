import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SqsWire {
  url: string;
  /** Bodies accepted, in order. */
  bodies: string[];
  /** When set, every request is refused with this error type (e.g. `AccessDenied`, status 403). */
  refuse: { type: string; status: number } | undefined;
  close(): Promise<void>;
}

/**
 * An SQS endpoint speaking the JSON protocol's SendMessageBatch (what `@aws-sdk/client-sqs`
 * sends), recording the bodies it accepted. Queue URL: http://127.0.0.1:PORT/ACCOUNT/NAME.
 */
export async function startSqsWire(): Promise<SqsWire> {
  const state: { bodies: string[]; refuse: SqsWire['refuse'] } = { bodies: [], refuse: undefined };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      res.setHeader('content-type', 'application/x-amz-json-1.0');
      if (state.refuse) {
        res.statusCode = state.refuse.status;
        res.end(JSON.stringify({ __type: `com.amazonaws.sqs#${state.refuse.type}`, message: 'refused by the test' }));
        return;
      }
      if (target !== 'AmazonSQS.SendMessageBatch') {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#InvalidAction', message: target }));
        return;
      }
      const input = JSON.parse(raw) as { Entries: { Id: string; MessageBody: string }[] };
      state.bodies.push(...input.Entries.map((e) => e.MessageBody));
      res.end(
        JSON.stringify({
          Successful: input.Entries.map((e, i) => ({
            Id: e.Id,
            MessageId: `m-${state.bodies.length}-${i}`,
            MD5OfMessageBody: createHash('md5').update(e.MessageBody).digest('hex'),
          })),
          Failed: [],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/111122223333/sealwatch-test-work`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
