import { AsyncLocalStorage, createHook } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Invokes Lambda handlers the way the Lambda runtime does, and then checks what the runtime
 * cannot: that nothing the invocation started is still pending once the handler's promise
 * settled. On Lambda the environment is frozen at that moment, so pending work would stall
 * (holding leases, with claims written) until some later invocation thaws it, or forever.
 *
 * Tracked, for resources created inside the invocation (an AsyncLocalStorage context, so the
 * simulators and servers running in the same test process are not counted):
 * - promises still unsettled after a garbage collection (one nobody can settle any more is
 *   collected; one a timer, socket or listener can still settle is alive: that is work);
 * - timers, immediates and handles (sockets, requests) still active: ref'd timers, and
 *   sockets that are open and not an HTTP agent's idle keep-alive socket (a free socket has no
 *   request). Unref'd timers (`AbortSignal.timeout` deadlines) keep no work alive.
 */

export interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  getRemainingTimeInMillis(): number;
  done(): void;
  fail(): void;
  succeed(): void;
}

export interface PendingResource {
  type: string;
  detail: string;
}

export interface Invocation<R> {
  result?: R | undefined;
  error?: unknown;
  /** What the invocation left running (must be empty). */
  pending: PendingResource[];
  durationMs: number;
}

interface Tracked {
  type: string;
  ref: WeakRef<object>;
  /** Where it was created, when LAMBDA_HARNESS_STACKS is set (slow; for finding a leak). */
  stack?: string;
}

const withStacks = process.env['LAMBDA_HARNESS_STACKS'] !== undefined;

const context = new AsyncLocalStorage<symbol>();
const tracked = new Map<number, Tracked>();
let current: symbol | undefined;
const hook = createHook({
  init(asyncId, type, _trigger, resource) {
    if (current !== undefined && context.getStore() === current) {
      tracked.set(asyncId, {
        type,
        ref: new WeakRef(resource as object),
        ...(withStacks ? { stack: new Error().stack?.split('\n').slice(2, 12).join(' | ') ?? '' } : {}),
      });
    }
  },
  destroy(asyncId) {
    tracked.delete(asyncId);
  },
  promiseResolve(asyncId) {
    tracked.delete(asyncId);
  },
});

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

// Node's fetch (undici) initialises itself at first use, compiling its HTTP parser in the
// background; the Lambda runtime's own start-up has done that before any invocation. Done here
// once, so it is not counted against the first invocation that builds a Request.
new Request('http://127.0.0.1/');
await new Response('warm').text();
await new Promise((resolve) => setTimeout(resolve, 50));

export function lambdaContext(functionName: string, timeoutMs: number): LambdaContext {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:111122223333:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2026/12/07/[$LATEST]${randomUUID().replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** Runs one invocation and reports what it left pending. Invocations must not overlap. */
export async function invoke<E, R>(
  handler: (event: E, context: LambdaContext) => Promise<R>,
  event: E,
  options: { functionName: string; timeoutMs: number },
): Promise<Invocation<R>> {
  if (current !== undefined) throw new Error('lambda harness: invocations must not overlap');
  const token = Symbol(options.functionName);
  const ctx = lambdaContext(options.functionName, options.timeoutMs);
  const started = performance.now();
  tracked.clear();
  current = token;
  hook.enable();
  let result: R | undefined;
  let error: unknown;
  try {
    result = await context.run(token, () => handler(event, ctx));
  } catch (e) {
    error = e;
  }
  const durationMs = performance.now() - started;
  current = undefined;
  // The runtime freezes the environment now. Give already-queued callbacks (destroy hooks,
  // settled I/O) one turn, collect garbage so unreachable promises drop out, and look.
  await turn();
  gc();
  await turn();
  gc();
  await turn();
  const pending = survivors();
  hook.disable();
  tracked.clear();
  return { ...(error === undefined ? { result } : { error }), pending, durationMs };
}

/** Like `invoke`, but fails when the handler threw or left work pending. */
export async function invokeClean<E, R>(
  handler: (event: E, context: LambdaContext) => Promise<R>,
  event: E,
  options: { functionName: string; timeoutMs: number },
): Promise<R> {
  const run = await invoke(handler, event, options);
  if (run.pending.length > 0) throw new Error(`${options.functionName} left work pending after returning: ${JSON.stringify(run.pending)}`);
  if (run.error !== undefined) throw run.error;
  return run.result as R;
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function survivors(): PendingResource[] {
  const out: PendingResource[] = [];
  for (const [, entry] of tracked) {
    const resource = entry.ref.deref();
    if (!resource) continue;
    if (entry.type === 'PROMISE') {
      out.push({ type: 'PROMISE', detail: entry.stack ?? 'an unsettled promise something can still settle' });
      continue;
    }
    // A keep-alive socket taken from an HTTP agent's pool is announced as a `ReusedHandle`
    // wrapping the socket's handle: the handle says whether it is ref'd (busy) or idle.
    const wrapped = (resource as { handle?: object }).handle;
    const r = (wrapped ?? resource) as { hasRef?: () => boolean; _destroyed?: boolean; destroyed?: boolean };
    // Cleared timers keep their object (destroy fires later): `_destroyed` says they are done.
    if (r._destroyed === true || r.destroyed === true) continue;
    const socket = ownerSocket(r);
    if (socket) {
      // An HTTP agent's free keep-alive socket has no request (`_httpMessage` null): idle, not work.
      if (socket.destroyed || socket._httpMessage === null) continue;
    } else if (typeof r.hasRef === 'function' && !r.hasRef()) continue;
    out.push({ type: entry.type, detail: entry.stack ?? describe(resource) });
  }
  return out;
}

/** The net.Socket / tls.TLSSocket a native handle belongs to (Node keeps it under `owner_symbol`). */
function ownerSocket(handle: object): { destroyed?: boolean; _httpMessage?: unknown } | undefined {
  const symbol = Object.getOwnPropertySymbols(handle).find((s) => s.description === 'owner_symbol');
  const owner = symbol ? (handle as Record<symbol, unknown>)[symbol] : undefined;
  return owner && typeof owner === 'object' && 'destroyed' in owner ? (owner as { destroyed?: boolean; _httpMessage?: unknown }) : undefined;
}

function describe(resource: object): string {
  const r = resource as { _idleTimeout?: number; constructor?: { name?: string } };
  if (typeof r._idleTimeout === 'number') return `timer of ${r._idleTimeout} ms`;
  return r.constructor?.name ?? 'resource';
}
