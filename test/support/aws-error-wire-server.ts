import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted refusal, as AWS sends it. */
export interface AwsErrorAnswer {
  status: number;
  /** The error's type, e.g. `ThrottlingException` (sent as `__type`, or `<Code>` for query XML). */
  type: string;
  message: string;
  /** Answer in the AWS query protocol's XML (SNS) instead of AWS JSON (KMS, DynamoDB, SQS, SSM...). */
  xml?: boolean;
  /** Extra response headers, e.g. a `date` far from ours for clock-skew correction. */
  headers?: Record<string, string>;
}

export interface AwsErrorWireServer {
  /** `http://127.0.0.1:PORT`, for any SDK client's `endpoint`. */
  endpoint: string;
  answer: AwsErrorAnswer;
  close(): Promise<void>;
}

/**
 * An AWS endpoint that refuses every request with the scripted error, in the wire shape the real
 * services use (AWS JSON `{"__type","message"}` with `x-amzn-errortype`; query XML
 * `<ErrorResponse><Error><Type/><Code/><Message/>`), so the real SDK clients deserialize it into
 * their own exception classes. Loopback only.
 */
export async function startAwsErrorWire(): Promise<AwsErrorWireServer> {
  const state: { answer: AwsErrorAnswer } = { answer: { status: 500, type: 'InternalFailure', message: 'unset' } };
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const { status, type, message, xml, headers } = state.answer;
      res.statusCode = status;
      for (const [name, value] of Object.entries(headers ?? {})) res.setHeader(name, value);
      res.setHeader('x-amzn-requestid', 'req-1');
      if (xml) {
        res.setHeader('content-type', 'text/xml');
        const fault = status >= 500 ? 'Receiver' : 'Sender';
        res.end(
          `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${fault}</Type><Code>${type}</Code>` +
            `<Message>${message}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`,
        );
        return;
      }
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      res.setHeader('x-amzn-errortype', `${type}:http://internal.amazon.com/coral/com.amazon.coral.service/`);
      res.end(JSON.stringify({ __type: type, message }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
