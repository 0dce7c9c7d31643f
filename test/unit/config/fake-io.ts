import { fileURLToPath } from 'node:url';
import type { CliIo } from '../../../functions/cli/io.ts';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/config/', import.meta.url));

/** A CliIo that records output; stdin is never read by config commands. */
export function fakeIo(env: Record<string, string | undefined> = {}, cwd = FIXTURES) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    readStdin: () => Promise.reject(new Error('config commands must not read stdin')),
    env,
    cwd,
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

/** Values the example fixture references; test-only. */
export const EXAMPLE_ENV = {
  SEALWATCH_LOCAL_KEY: '3q2+7wABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhs=',
  AZURE_CLIENT_SECRET: 'example-azure-client-secret-not-for-output',
};

/** Values the health/alerting example fixture references through ${env:}; test-only. */
export const HEALTH_ALERTS_ENV = {
  PD_ROUTING_KEY: 'example-pagerduty-routing-key-000',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.example/services/T000/B000/example-not-real',
  WEBHOOK_SECRET: 'whsec_ZXhhbXBsZS1vdXRib3VuZC1zZWNyZXQtMzItYnl0ZXMhIQ==',
  SEALWATCH_WEBHOOK_SECRET: 'whsec_ZXhhbXBsZS1pbmJvdW5kLXNlY3JldC0zMi1ieXRlcyEhIQ==',
  ALERTMANAGER_TOKEN: 'example-alertmanager-token-0123',
};
