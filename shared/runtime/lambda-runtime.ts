import { createAwsSecretResolverFromEnv } from '../adapters/aws-secret-references.ts';
import { createJsonLogger, type LogLevel } from '../adapters/json-logger.ts';
import { systemClock } from '../adapters/system-clock.ts';
import { loadConfig } from '../config/load-config.ts';
import { UnavailableError } from '../errors.ts';
import type { WorkQueue } from '../ports/work-queue.ts';
import { createRuntime, type Runtime } from './create-runtime.ts';

/**
 * The runtime of a Lambda container, built on the first invocation and reused by later ones
 * (connections, clients and the parsed config survive between invocations).
 */
export function lambdaRuntime(env: {
  configPath: string;
  logLevel?: string | undefined;
  processEnv: Record<string, string | undefined>;
}): () => Promise<Runtime> {
  let runtime: Promise<Runtime> | undefined;
  return () => {
    runtime ??= (async () => {
      const config = await loadConfig({
        path: env.configPath,
        env: env.processEnv,
        remoteSecrets: createAwsSecretResolverFromEnv(env.processEnv),
        clock: systemClock,
      });
      const logger = createJsonLogger({ level: (env.logLevel as LogLevel | undefined) ?? 'info', write: (line) => process.stdout.write(`${line}\n`) });
      return createRuntime({ config, clock: systemClock, logger, env: env.processEnv });
    })().catch((error: unknown) => {
      // A failed start is not cached: the next invocation tries again (config fixed, store back).
      runtime = undefined;
      throw error;
    });
    return runtime;
  };
}

/**
 * The stack's work queue (`SEALWATCH_WORK_QUEUE_URL`, a reference the stack sets, not config).
 * The SQS client is loaded at the first send: most invocations never hand work off, and the
 * client is a noticeable part of a cold start. Without the variable every send fails with
 * UnavailableError, so a hand-off is refused visibly instead of running on after the answer.
 */
export function lambdaWorkQueue(env: Record<string, string | undefined>): WorkQueue {
  const queueUrl = env['SEALWATCH_WORK_QUEUE_URL'];
  let queue: Promise<WorkQueue> | undefined;
  return {
    async send(messages, signal) {
      if (!queueUrl) throw new UnavailableError('no work queue is configured (SEALWATCH_WORK_QUEUE_URL)');
      queue ??= (async () => {
        const [{ SQSClient }, { createSqsWorkQueue }] = await Promise.all([import('@aws-sdk/client-sqs'), import('../adapters/sqs-work-queue.ts')]);
        return createSqsWorkQueue({ client: new SQSClient({}), queueUrl });
      })();
      return (await queue).send(messages, signal);
    },
  };
}

/** When a Lambda invocation ends (epoch ms), from its context. */
export function invocationDeadline(context: { getRemainingTimeInMillis(): number } | undefined, now: number, fallbackMs: number): number {
  const remaining = context?.getRemainingTimeInMillis();
  return now + (typeof remaining === 'number' && Number.isFinite(remaining) ? remaining : fallbackMs);
}
